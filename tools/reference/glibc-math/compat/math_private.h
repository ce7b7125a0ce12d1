#include <math.h>
#include <sys/cdefs.h>
#define attribute_hidden
#include <errno.h>
#define __set_errno(e) (errno = (e))
