/*
 * Reference data for src/math/: this machine's libm (glibc 2.36, x86_64, the ifunc-selected *_fma variants on a CPU
 * with FMA and AVX2) evaluated over structured and random arguments.
 *
 *   reference <fma|cos|pow|log> <count> <seed> > out.bin
 *
 * Writes little-endian float64 records: fma: a b c fma(a,b,c); cos/log: x f(x); pow: x y pow(x,y). The structured
 * arguments (the ones PyTorch's LR schedulers produce) come first, then random ones until <count> records.
 * Build with -O0 -fno-builtin so that GCC cannot constant-fold or inline any of the calls: every value must come from
 * libm.so.6 (and fma from the hardware instruction through libm's fma).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;
static uint64_t next(void) { /* xorshift64* */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ULL;
}
static double bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static double unit(void) { return (double)(next() >> 11) * 0x1p-53; } /* [0, 1) */

static long left, total;
static void out(const double *v, int n) {
  if (left <= 0) return;
  fwrite(v, sizeof(double), n, stdout);
  left--;
}

/* A double of a random kind: any bit pattern, a wide log-uniform magnitude, a subnormal, a special value, or a value
   of "ordinary" size. */
static double anydouble(void) {
  static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, 0x1p-1074, 0x1p-1022,
                                   0x1.fffffffffffffp1023, 0.5, 2.0, 0x1.fffffffffffffp-1, 0x1.0000000000001p0};
  switch (next() % 8) {
  case 0: case 1: return bits(next());
  case 2: return (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 2200) - 1100);
  case 3: return bits(next() & 0x800fffffffffffffULL); /* subnormal or zero */
  case 4: return special[next() % (sizeof special / sizeof special[0])];
  case 5: return (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 80) - 40);
  default: return (next() & 1 ? -1 : 1) * unit() * 10;
  }
}

static void gen_fma(void) {
  fprintf(stderr, "structured 0\n");
  while (left > 0) {
    double a = anydouble(), b = anydouble(), c;
    switch (next() % 6) {
    case 0: c = -(a * b); break;                                      /* cancellation */
    case 1: c = -(a * b) * (1 + ldexp(unit() - 0.5, -50)); break;     /* near cancellation */
    case 2: c = (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 2200) - 1100); break;
    case 3: { /* product near the subnormal range */
      a = (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 200) - 600);
      b = (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 200) - 520);
      c = (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 120) - 1130);
      break;
    }
    case 4: { /* a product of few bits plus a sticky c: ties */
      a = (double)(next() % 4096) * ldexp(1, (int)(next() % 80) - 40);
      b = 1 + ldexp((double)(next() % 65536), -52) + (next() & 1 ? 0x1p-52 : 0);
      c = ldexp(next() & 1 ? 1 : -1, (int)(next() % 130) - 110);
      break;
    }
    default: c = anydouble();
    }
    double v[4] = {a, b, c, fma(a, b, c)};
    out(v, 4);
  }
}

static void one(double x) { double v[2] = {x, cos(x)}; out(v, 2); }

static void gen_cos(void) {
  /* CosineAnnealingLR & co: cos(pi * k / T), cos(pi * (k - 1) / T), and cos(pi * p) for p = k / N. */
  for (int T = 1; T <= 1000; T++)
    for (int k = 0; k <= 3 * T; k++) {
      one(M_PI * k / T);
      one(M_PI * (k - 1) / T);
      one(M_PI * ((double)k / T));
    }
  for (int N = 1; N <= 4096; N *= 2)
    for (int k = -3 * N; k <= 3 * N; k++) one(M_PI * ((double)k / N));
  fprintf(stderr, "structured %ld\n", total - left);
  while (left > 0) {
    switch (next() % 4) {
    case 0: one(anydouble()); break;
    case 1: one((next() & 1 ? -1 : 1) * unit() * 8); break;
    case 2: one(M_PI * unit()); break;
    default: one((next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 100) - 30)); break;
    }
  }
}

static void two(double x, double y) { double v[3] = {x, y, pow(x, y)}; out(v, 3); }

static void gen_pow(void) {
  /* StepLR/MultiStepLR/ExponentialLR: gamma ** int; PolynomialLR: ((1 - k/T) / (1 - (k-1)/T)) ** power. */
  static const double bases[] = {0.1, 0.5, 0.9, 0.95, 0.97, 0.99, 0.999};
  for (int i = 0; i < 7; i++)
    for (int e = 0; e <= 10000; e++) two(bases[i], e);
  for (int r = 0; r < 40; r++) {
    double b = r < 20 ? unit() : unit() * 10;
    for (int e = 0; e <= 10000; e++) two(b, e);
  }
  static const double powers[] = {0.5, 0.9, 1, 1.5, 2, 3, 0.3, 1.7, 2.5, 0.77};
  for (int i = 0; i < 10; i++)
    for (int T = 1; T <= 400; T++)
      for (int k = 1; k < T; k++) {
        two((1.0 - (double)k / T) / (1.0 - (double)(k - 1) / T), powers[i]); /* chainable form */
        two(1.0 - (double)k / T, powers[i]);                                  /* closed form */
      }
  for (int h = -2200; h <= 2200; h++) two(2.0, h * 0.5);
  fprintf(stderr, "structured %ld\n", total - left);
  while (left > 0) {
    double x, y;
    switch (next() % 6) {
    case 0: x = anydouble(); y = anydouble(); break;
    case 1: x = unit() * 2; y = (next() & 1 ? -1 : 1) * unit() * 1000; break;
    case 2: x = unit(); y = (double)(next() % 100000); break;
    case 3: x = -ldexp(1 + unit(), (int)(next() % 40) - 20); y = (double)((int)(next() % 200) - 100); break;
    case 4: x = 1 + ldexp(unit() - 0.5, -(int)(next() % 50)); y = (next() & 1 ? -1 : 1) * ldexp(1 + unit(), (int)(next() % 70)); break;
    default: x = ldexp(1 + unit(), (int)(next() % 2200) - 1100); y = (next() & 1 ? -1 : 1) * unit() * 4; break;
    }
    two(x, y);
  }
}

static void lg(double x) { double v[2] = {x, log(x)}; out(v, 2); }

static void gen_log(void) {
  /* CosineAnnealingWarmRestarts: log(epoch / T_0 * (T_mult - 1) + 1) / log(T_mult). */
  for (int i = 1; i <= 1000000; i++) lg((double)i);
  for (int i = 1; i <= 99000; i++) lg(1 + i / 1000.0);
  for (int m = 2; m <= 10; m++) lg((double)m);
  fprintf(stderr, "structured %ld\n", total - left);
  while (left > 0) {
    switch (next() % 5) {
    case 0: lg(anydouble()); break;
    case 1: lg(unit() * 1e6); break;
    case 2: lg(1 + unit() * 99); break;
    case 3: lg(1 + ldexp(unit() - 0.5, -(int)(next() % 12))); break; /* the |x - 1| < 0x1p-4 branch */
    default: lg(ldexp(1 + unit(), (int)(next() % 2200) - 1100)); break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: reference <fma|cos|pow|log> <count> <seed>\n");
    return 2;
  }
  left = total = atol(argv[2]);
  state = strtoull(argv[3], 0, 10) * 0x9E3779B97F4A7C15ULL + 1;
  if (!strcmp(argv[1], "fma")) gen_fma();
  else if (!strcmp(argv[1], "cos")) gen_cos();
  else if (!strcmp(argv[1], "pow")) gen_pow();
  else if (!strcmp(argv[1], "log")) gen_log();
  else return 2;
  return 0;
}
