// libharu (Debian libhpdf-dev) for Billing's PDF statements. HPDF_SHARED selects the public API only: every handle
// is an opaque pointer and none of the library's internal structures leak into Swift.
#define HPDF_SHARED
#include <hpdf.h>
