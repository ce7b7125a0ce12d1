#define libm_alias_finite(a,b)
