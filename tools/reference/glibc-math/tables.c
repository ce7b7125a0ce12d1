/*
 * Prints glibc 2.36's data tables for cos, pow and log as TypeScript (src/math/tables-*.ts), so that the port uses
 * the very same constants. Built by `regenerate.sh tables <glibc source tree>`; compat/ stubs the few internal headers
 * the data files include. Doubles are printed with 17 significant digits, which round-trips exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "sincostab.c"
#include "e_pow_log_data.c"
#include "e_exp_data.c"
#include "e_log_data.c"

static int col, per;

static void header(const char *what) {
  printf("// biome-ignore-all format: generated table\n");
  printf("// Written by tools/reference/glibc-math/regenerate.sh tables from glibc 2.36's\n// %s. Do not edit.\n", what);
}
static void scalar(const char *doc, const char *name, double x) {
  printf("\n/** %s */\nexport const %s = %.17g;\n", doc, name, x);
}
static void begin(const char *doc, const char *name, const char *type, int perline) {
  printf("\n/** %s */\nexport const %s = new %s([", doc, name, type);
  col = 0;
  per = perline;
}
static void sep(void) { printf(col++ % per ? " " : "\n  "); }
static void d(double x) { sep(); printf("%.17g,", x); }
static void w(uint32_t x) { sep(); printf("0x%08x,", x); }
static void end(void) { printf("\n]);\n"); }

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "";
  if (!strcmp(which, "sincos")) {
    header("sysdeps/ieee754/dbl-64/sincostab.c");
    begin("__sincostab: for i = 0..109, sin(i/128), its tail, cos(i/128), its tail.", "SINCOSTAB", "Float64Array", 4);
    for (int i = 0; i < 440; i++) d(__sincostab.x[i]);
    end();
  } else if (!strcmp(which, "pow")) {
    header("sysdeps/ieee754/dbl-64/e_pow_log_data.c and e_exp_data.c");
    scalar("__pow_log_data.ln2hi", "POW_LN2HI", __pow_log_data.ln2hi);
    scalar("__pow_log_data.ln2lo", "POW_LN2LO", __pow_log_data.ln2lo);
    begin("__pow_log_data.poly: A[0..6].", "POW_A", "Float64Array", 4);
    for (int i = 0; i < POW_LOG_POLY_ORDER - 1; i++) d(__pow_log_data.poly[i]);
    end();
    begin("__pow_log_data.tab: invc, logc, logctail for each of 128 subintervals.", "POW_LOG_TAB", "Float64Array", 3);
    for (int i = 0; i < 1 << POW_LOG_TABLE_BITS; i++) {
      d(__pow_log_data.tab[i].invc);
      d(__pow_log_data.tab[i].logc);
      d(__pow_log_data.tab[i].logctail);
    }
    end();
    scalar("__exp_data.invln2N", "EXP_INVLN2N", __exp_data.invln2N);
    scalar("__exp_data.shift", "EXP_SHIFT", __exp_data.shift);
    scalar("__exp_data.negln2hiN", "EXP_NEGLN2HIN", __exp_data.negln2hiN);
    scalar("__exp_data.negln2loN", "EXP_NEGLN2LON", __exp_data.negln2loN);
    begin("__exp_data.poly: C2..C5.", "EXP_C", "Float64Array", 4);
    for (int i = 0; i < 4; i++) d(__exp_data.poly[i]);
    end();
    begin("__exp_data.tab[2i]: the tail of 2^(i/128), as a double.", "EXP_TAIL", "Float64Array", 4);
    for (int i = 0; i < 1 << EXP_TABLE_BITS; i++) {
      uint64_t u = __exp_data.tab[2 * i];
      double x;
      memcpy(&x, &u, 8);
      d(x);
    }
    end();
    begin("__exp_data.tab[2i + 1] (sbits), high words.", "EXP_SBITS_HI", "Uint32Array", 8);
    for (int i = 0; i < 1 << EXP_TABLE_BITS; i++) w((uint32_t)(__exp_data.tab[2 * i + 1] >> 32));
    end();
    begin("__exp_data.tab[2i + 1] (sbits), low words.", "EXP_SBITS_LO", "Uint32Array", 8);
    for (int i = 0; i < 1 << EXP_TABLE_BITS; i++) w((uint32_t)__exp_data.tab[2 * i + 1]);
    end();
  } else if (!strcmp(which, "log")) {
    header("sysdeps/ieee754/dbl-64/e_log_data.c");
    scalar("__log_data.ln2hi", "LOG_LN2HI", __log_data.ln2hi);
    scalar("__log_data.ln2lo", "LOG_LN2LO", __log_data.ln2lo);
    begin("__log_data.poly: A[0..4].", "LOG_A", "Float64Array", 4);
    for (int i = 0; i < LOG_POLY_ORDER - 1; i++) d(__log_data.poly[i]);
    end();
    begin("__log_data.poly1: B[0..10], for |x - 1| < 0x1p-4.", "LOG_B", "Float64Array", 4);
    for (int i = 0; i < LOG_POLY1_ORDER - 1; i++) d(__log_data.poly1[i]);
    end();
    begin("__log_data.tab: invc, logc for each of 128 subintervals.", "LOG_TAB", "Float64Array", 2);
    for (int i = 0; i < 1 << LOG_TABLE_BITS; i++) {
      d(__log_data.tab[i].invc);
      d(__log_data.tab[i].logc);
    }
    end();
  } else
    return 2;
  return 0;
}
