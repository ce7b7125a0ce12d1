#define math_check_force_underflow(x)
