#include "CSupport.h"
#ifdef __linux__
#include <sys/prctl.h>
#endif

int fedsim_set_parent_death_signal(int signal) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
#else
    (void)signal;
    return 0;
#endif
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int fedsim_keep_large_blocks_in_heap(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes) == 1 && mallopt(M_TRIM_THRESHOLD, bytes) == 1;
#else
    (void)bytes;
    return 0;
#endif
}
