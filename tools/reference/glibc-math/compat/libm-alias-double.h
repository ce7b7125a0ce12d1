#define libm_alias_double(a,b)
#define libm_alias_double_other(a,b)
#define strong_alias(a,b)
#define versioned_symbol(a,b,c,d)
