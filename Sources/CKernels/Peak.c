// The compute floor of the benchmarks: a loop of independent fused multiply-adds that never
// touches memory, in each instruction-set version (see CKernels.h).
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Twelve independent accumulators: enough to cover an FMA's latency (4-5 cycles) on two
// FMA units, the most any x86 core has. a <- a * m + c with m just below 1 stays finite.
#define PEAK_CHAINS 12

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static double peak_avx2(long iterations) {
    __m256 a[PEAK_CHAINS];
    const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < PEAK_CHAINS; i++) a[i] = _mm256_set1_ps((float)i);
    for (long k = 0; k < iterations; k++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < PEAK_CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], m, c);
    }
    double s = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) {
        float v[8];
        _mm256_storeu_ps(v, a[i]);
        for (int j = 0; j < 8; j++) s += v[j];
    }
    return s;
}

__attribute__((target("avx512f")))
static double peak_avx512(long iterations) {
    __m512 a[PEAK_CHAINS];
    const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < PEAK_CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
    for (long k = 0; k < iterations; k++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < PEAK_CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], m, c);
    }
    double s = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
    return s;
}
#endif

// Portable: the same chains, one Float lane each, as multiply then add (what the generic
// kernels do where the CPU has no FMA; the compiler may vectorise it).
static double peak_generic(long iterations) {
    float a[PEAK_CHAINS];
    const float m = 0.999999f, c = 1e-7f;
    for (int i = 0; i < PEAK_CHAINS; i++) a[i] = (float)i;
    for (long k = 0; k < iterations; k++) {
        for (int i = 0; i < PEAK_CHAINS; i++) a[i] = a[i] * m + c;
    }
    double s = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) s += a[i];
    return s;
}

long fedsim_peak_fmas_per_iteration(int isa) {
    switch (isa) {
    case FEDSIM_ISA_AVX512: return PEAK_CHAINS * 16;
    case FEDSIM_ISA_AVX2: return PEAK_CHAINS * 8;
    default: return PEAK_CHAINS;
    }
}

double fedsim_peak_fma(int isa, long iterations) {
#if defined(__x86_64__)
    if (isa == FEDSIM_ISA_AVX512 && fedsim_isa_available(isa)) return peak_avx512(iterations);
    if (isa == FEDSIM_ISA_AVX2 && fedsim_isa_available(isa)) return peak_avx2(iterations);
#endif
    return peak_generic(iterations);
}
