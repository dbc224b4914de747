// Picks the instruction-set version of the kernels at run time (see CKernels.h).
#include "CKernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static int detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return FEDSIM_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return FEDSIM_ISA_AVX2;
#endif
    return FEDSIM_ISA_GENERIC;
}

static atomic_int best = 0;

int fedsim_isa_best(void) {
    int isa = atomic_load_explicit(&best, memory_order_relaxed);
    if (isa == 0) {
        isa = detect();
        atomic_store_explicit(&best, isa, memory_order_relaxed);
    }
    return isa;
}

int fedsim_isa_available(int isa) {
    switch (isa) {
    case FEDSIM_ISA_GENERIC: return 1;
    case FEDSIM_ISA_AVX2: return fedsim_isa_best() >= FEDSIM_ISA_AVX2;
    case FEDSIM_ISA_AVX512: return fedsim_isa_best() >= FEDSIM_ISA_AVX512;
    default: return 0;
    }
}

const char *fedsim_isa_name(int isa) {
    switch (isa) {
    case FEDSIM_ISA_GENERIC: return "generic";
    case FEDSIM_ISA_AVX2: return "avx2";
    case FEDSIM_ISA_AVX512: return "avx512";
    default: return "unknown";
    }
}

static atomic_int selected = 0;

int fedsim_isa_select(int isa) {
    if (isa == 0) isa = fedsim_isa_best();
    if (!fedsim_isa_available(isa)) return -1;
    atomic_store(&selected, isa);
    return 0;
}

int fedsim_isa_selected(void) {
    int isa = atomic_load(&selected);
    if (isa != 0) return isa;
    isa = fedsim_isa_best();
    const char *env = getenv("FEDSIM_KERNELS");
    if (env != NULL) {
        for (int v = FEDSIM_ISA_GENERIC; v <= FEDSIM_ISA_AVX512; v++) {
            if (strcmp(env, fedsim_isa_name(v)) == 0 && fedsim_isa_available(v)) isa = v;
        }
    }
    int expected = 0;
    atomic_compare_exchange_strong(&selected, &expected, isa);
    return atomic_load(&selected);
}
