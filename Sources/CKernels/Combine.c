// Weighted row sums and distances to a Double vector, the kernels of RowCombination (see
// CKernels.h). Both accumulate in Double without FMA; the order of additions per output
// value is fixed (rows eight at a time in a fixed tree; distance lanes by column mod 8), so
// every version gives the same numbers.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

#define DIST_LANES 8

/// Floats ahead of the current column that the row-group loops prefetch, in every row of the
/// group: the rows are read in short segments (one block), too short for the hardware
/// prefetcher to ramp up in each; 1 KiB ahead measured best (n = 20 to 100).
#define PREFETCH_AHEAD 256

// MARK: - The group shape, shared by every version

/// Rows per group: each sweep over a block adds the products of up to 8 rows to the
/// accumulator at once, so the Double accumulator is read and written once per 8 rows.
#define GROUP 8

/// A group's sum: ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)). A last group of g < 8
/// rows is padded with rows of zeros (weight 0, products +0.0), so every version adds the
/// same leaves in the same order; the vector versions skip reading the padding (products
/// q >= g are set to +0.0 directly, the same value).
#define TREE8(add, p0, p1, p2, p3, p4, p5, p6, p7) \
    add(add(add(p0, p1), add(p2, p3)), add(add(p4, p5), add(p6, p7)))

#define SCALAR_ADD(a, b) ((a) + (b))

/// Columns of zeros behind the padding rows; longer column ranges are done in pieces.
#define ZERO_COLUMNS 8192
static const float zero_row[ZERO_COLUMNS];

/// acc[j] += tree(w_q r_q[j]) for j in [from, k): the portable version, and the columns
/// past the last full vector in the others.
static inline void group_scalar(double *acc, const float *const *r, const double *w, size_t from, size_t k) {
    const float *r0 = r[0], *r1 = r[1], *r2 = r[2], *r3 = r[3], *r4 = r[4], *r5 = r[5], *r6 = r[6], *r7 = r[7];
    double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7];
    for (size_t j = from; j < k; j++) {
        acc[j] += TREE8(SCALAR_ADD, w0 * (double)r0[j], w1 * (double)r1[j], w2 * (double)r2[j], w3 * (double)r3[j],
                        w4 * (double)r4[j], w5 * (double)r5[j], w6 * (double)r6[j], w7 * (double)r7[j]);
    }
}

static inline double dist_lane_sum(const double *l) {
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

static inline void dist_tail(const float *row, const double *v, size_t from, size_t k, double *l) {
    for (size_t j = from; j < k; j++) {
        double e = (double)row[j] - v[j];
        l[j % DIST_LANES] += e * e;
    }
}

// MARK: - Versions

static void group_generic(double *acc, const float *const *r, const double *w, int g, size_t k) {
    (void)g;
    group_scalar(acc, r, w, 0, k);
}

static double distance_generic(const float *row, const double *v, size_t k) {
    double l[DIST_LANES] = {0};
    dist_tail(row, v, 0, k, l);
    return dist_lane_sum(l);
}

#if defined(__x86_64__)

#define ADD256(a, b) _mm256_add_pd(a, b)

__attribute__((target("avx2")))
static void group_avx2(double *acc, const float *const *r, const double *w, int g, size_t k) {
    __m256d w0 = _mm256_set1_pd(w[0]), w1 = _mm256_set1_pd(w[1]), w2 = _mm256_set1_pd(w[2]), w3 = _mm256_set1_pd(w[3]);
    __m256d w4 = _mm256_set1_pd(w[4]), w5 = _mm256_set1_pd(w[5]), w6 = _mm256_set1_pd(w[6]), w7 = _mm256_set1_pd(w[7]);
    size_t kv = k - k % 4;
    for (size_t j = 0; j < kv; j += 4) {
        if ((j & 15) == 0)
            for (int q = 0; q < GROUP; q++) _mm_prefetch((const char *)(r[q] + j + PREFETCH_AHEAD), _MM_HINT_T0);
        __m256d p0 = g > 0 ? _mm256_mul_pd(w0, _mm256_cvtps_pd(_mm_loadu_ps(r[0] + j))) : _mm256_setzero_pd();
        __m256d p1 = g > 1 ? _mm256_mul_pd(w1, _mm256_cvtps_pd(_mm_loadu_ps(r[1] + j))) : _mm256_setzero_pd();
        __m256d p2 = g > 2 ? _mm256_mul_pd(w2, _mm256_cvtps_pd(_mm_loadu_ps(r[2] + j))) : _mm256_setzero_pd();
        __m256d p3 = g > 3 ? _mm256_mul_pd(w3, _mm256_cvtps_pd(_mm_loadu_ps(r[3] + j))) : _mm256_setzero_pd();
        __m256d p4 = g > 4 ? _mm256_mul_pd(w4, _mm256_cvtps_pd(_mm_loadu_ps(r[4] + j))) : _mm256_setzero_pd();
        __m256d p5 = g > 5 ? _mm256_mul_pd(w5, _mm256_cvtps_pd(_mm_loadu_ps(r[5] + j))) : _mm256_setzero_pd();
        __m256d p6 = g > 6 ? _mm256_mul_pd(w6, _mm256_cvtps_pd(_mm_loadu_ps(r[6] + j))) : _mm256_setzero_pd();
        __m256d p7 = g > 7 ? _mm256_mul_pd(w7, _mm256_cvtps_pd(_mm_loadu_ps(r[7] + j))) : _mm256_setzero_pd();
        __m256d t = TREE8(ADD256, p0, p1, p2, p3, p4, p5, p6, p7);
        _mm256_storeu_pd(acc + j, _mm256_add_pd(_mm256_loadu_pd(acc + j), t));
    }
    group_scalar(acc, r, w, kv, k);
}

__attribute__((target("avx2")))
static double distance_avx2(const float *row, const double *v, size_t k) {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
    size_t kv = k - k % DIST_LANES;
    for (size_t j = 0; j < kv; j += DIST_LANES) {
        __m256d e0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(row + j)), _mm256_loadu_pd(v + j));
        __m256d e1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(row + j + 4)), _mm256_loadu_pd(v + j + 4));
        lo = _mm256_add_pd(lo, _mm256_mul_pd(e0, e0));
        hi = _mm256_add_pd(hi, _mm256_mul_pd(e1, e1));
    }
    double l[DIST_LANES];
    _mm256_storeu_pd(l, lo);
    _mm256_storeu_pd(l + 4, hi);
    dist_tail(row, v, kv, k, l);
    return dist_lane_sum(l);
}

#define ADD512(a, b) _mm512_add_pd(a, b)

__attribute__((target("avx512f")))
static void group_avx512(double *acc, const float *const *r, const double *w, int g, size_t k) {
    __m512d w0 = _mm512_set1_pd(w[0]), w1 = _mm512_set1_pd(w[1]), w2 = _mm512_set1_pd(w[2]), w3 = _mm512_set1_pd(w[3]);
    __m512d w4 = _mm512_set1_pd(w[4]), w5 = _mm512_set1_pd(w[5]), w6 = _mm512_set1_pd(w[6]), w7 = _mm512_set1_pd(w[7]);
    size_t kv = k - k % 8;
    for (size_t j = 0; j < kv; j += 8) {
        if ((j & 15) == 0)
            for (int q = 0; q < GROUP; q++) _mm_prefetch((const char *)(r[q] + j + PREFETCH_AHEAD), _MM_HINT_T0);
        __m512d p0 = g > 0 ? _mm512_mul_pd(w0, _mm512_cvtps_pd(_mm256_loadu_ps(r[0] + j))) : _mm512_setzero_pd();
        __m512d p1 = g > 1 ? _mm512_mul_pd(w1, _mm512_cvtps_pd(_mm256_loadu_ps(r[1] + j))) : _mm512_setzero_pd();
        __m512d p2 = g > 2 ? _mm512_mul_pd(w2, _mm512_cvtps_pd(_mm256_loadu_ps(r[2] + j))) : _mm512_setzero_pd();
        __m512d p3 = g > 3 ? _mm512_mul_pd(w3, _mm512_cvtps_pd(_mm256_loadu_ps(r[3] + j))) : _mm512_setzero_pd();
        __m512d p4 = g > 4 ? _mm512_mul_pd(w4, _mm512_cvtps_pd(_mm256_loadu_ps(r[4] + j))) : _mm512_setzero_pd();
        __m512d p5 = g > 5 ? _mm512_mul_pd(w5, _mm512_cvtps_pd(_mm256_loadu_ps(r[5] + j))) : _mm512_setzero_pd();
        __m512d p6 = g > 6 ? _mm512_mul_pd(w6, _mm512_cvtps_pd(_mm256_loadu_ps(r[6] + j))) : _mm512_setzero_pd();
        __m512d p7 = g > 7 ? _mm512_mul_pd(w7, _mm512_cvtps_pd(_mm256_loadu_ps(r[7] + j))) : _mm512_setzero_pd();
        __m512d t = TREE8(ADD512, p0, p1, p2, p3, p4, p5, p6, p7);
        _mm512_storeu_pd(acc + j, _mm512_add_pd(_mm512_loadu_pd(acc + j), t));
    }
    group_scalar(acc, r, w, kv, k);
}

__attribute__((target("avx512f")))
static double distance_avx512(const float *row, const double *v, size_t k) {
    __m512d s = _mm512_setzero_pd();
    size_t kv = k - k % DIST_LANES;
    for (size_t j = 0; j < kv; j += DIST_LANES) {
        __m512d e = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(row + j)), _mm512_loadu_pd(v + j));
        s = _mm512_add_pd(s, _mm512_mul_pd(e, e));
    }
    double l[DIST_LANES];
    _mm512_storeu_pd(l, s);
    dist_tail(row, v, kv, k, l);
    return dist_lane_sum(l);
}

#endif

// MARK: - Entry points

void fedsim_combine_rows(int isa, const float *x, size_t ld, const ptrdiff_t *rows, const double *coef,
                         size_t m, size_t c0, size_t k, double *acc) {
    void (*group)(double *, const float *const *, const double *, int, size_t) = group_generic;
#if defined(__x86_64__)
    if (isa == FEDSIM_ISA_AVX512 && fedsim_isa_available(FEDSIM_ISA_AVX512)) group = group_avx512;
    else if (isa >= FEDSIM_ISA_AVX2 && fedsim_isa_available(FEDSIM_ISA_AVX2)) group = group_avx2;
#endif
    for (size_t p0 = 0; p0 < k; p0 += ZERO_COLUMNS) {
        size_t kp = k - p0 < ZERO_COLUMNS ? k - p0 : ZERO_COLUMNS;
        // ceil(m / 8) groups of balanced sizes (10 rows: 5 + 5, not 8 + 2), so that every
        // sweep streams several rows at once.
        size_t groups = (m + GROUP - 1) / GROUP;
        for (size_t t = 0, g = 0; t < groups; t++) {
            size_t size = m / groups + (t < m % groups ? 1 : 0);
            const float *r[GROUP];
            double w[GROUP];
            for (size_t q = 0; q < GROUP; q++) {
                if (q < size) {
                    r[q] = x + (size_t)rows[g + q] * ld + c0 + p0;
                    w[q] = coef[g + q];
                } else {
                    r[q] = zero_row;
                    w[q] = 0;
                }
            }
            group(acc + p0, r, w, (int)size, kp);
            g += size;
        }
    }
}

void fedsim_combine_block(int isa, const float *x, size_t ld, const ptrdiff_t *rows, const double *coef,
                          size_t m, size_t c0, size_t k, const float *offset, double offset_scale,
                          double *acc, float *out) {
    if (offset != NULL) {
        for (size_t j = 0; j < k; j++) acc[j] = offset_scale * (double)offset[c0 + j];
    } else {
        for (size_t j = 0; j < k; j++) acc[j] = 0;
    }
    fedsim_combine_rows(isa, x, ld, rows, coef, m, c0, k, acc);
    for (size_t j = 0; j < k; j++) out[c0 + j] = (float)acc[j];
}

double fedsim_squared_distance(int isa, const float *row, const double *v, size_t k) {
#if defined(__x86_64__)
    if (isa == FEDSIM_ISA_AVX512 && fedsim_isa_available(FEDSIM_ISA_AVX512)) return distance_avx512(row, v, k);
    if (isa >= FEDSIM_ISA_AVX2 && fedsim_isa_available(FEDSIM_ISA_AVX2)) return distance_avx2(row, v, k);
#endif
    return distance_generic(row, v, k);
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static double read_sum_avx512(const float *x, size_t count) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    size_t cv = count - count % 64;
    for (size_t j = 0; j < cv; j += 64) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + j));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + j + 16));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps(x + j + 32));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps(x + j + 48));
    }
    double s = (double)_mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    for (size_t j = cv; j < count; j++) s += (double)x[j];
    return s;
}

__attribute__((target("avx2")))
static double read_sum_avx2(const float *x, size_t count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t cv = count - count % 32;
    for (size_t j = 0; j < cv; j += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + j));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + j + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(x + j + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(x + j + 24));
    }
    float l[8];
    _mm256_storeu_ps(l, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    double s = 0;
    for (int t = 0; t < 8; t++) s += (double)l[t];
    for (size_t j = cv; j < count; j++) s += (double)x[j];
    return s;
}
#endif

double fedsim_read_sum(const float *x, size_t count) {
#if defined(__x86_64__)
    if (fedsim_isa_selected() == FEDSIM_ISA_AVX512) return read_sum_avx512(x, count);
    if (fedsim_isa_selected() == FEDSIM_ISA_AVX2) return read_sum_avx2(x, count);
#endif
    float l[16] = {0};
    size_t cv = count - count % 16;
    for (size_t j = 0; j < cv; j += 16)
        for (int t = 0; t < 16; t++) l[t] += x[j + (size_t)t];
    double s = 0;
    for (int t = 0; t < 16; t++) s += (double)l[t];
    for (size_t j = cv; j < count; j++) s += (double)x[j];
    return s;
}
