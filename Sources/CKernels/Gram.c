// Gram matrix of a block of Float rows: G_ij = <x_i, x_j>, see fedsim_gram_block in CKernels.h.
//
// Arithmetic, identical in every version: for each pair (i, j) and each chunk of columns,
// 16 Float lanes L_0..L_15 (column c of the chunk feeds lane c mod 16, in column order,
// L = fma(x_ic, x_jc, L)); the lanes are then added in Double as a fixed pairwise tree and
// the chunk's sum is added to out[i n + j]. The versions differ only in how many pairs they
// compute at once (register tiles: 4 x 4 pairs with AVX-512; 4 x 3 pairs with AVX2, one
// 8-lane half of each product at a time; 1 with plain C) and in vector width.
#include "CKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

#define LANES FEDSIM_GRAM_LANES

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/// fma(a, b, c) for Floats, correctly rounded, for the portable version. Where the compiler
/// targets a CPU with FMA this is `fmaf` (one instruction); elsewhere (baseline x86-64, where
/// `fmaf` is a slow library call) it is emulated exactly: a*b is exact in Double, p + c is
/// rounded to odd (TwoSum gives the error; an inexact even result steps one ulp toward the
/// exact sum) and the final rounding to Float is then correct because 53 >= 2 * 24 + 2
/// (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using
/// rounding to odd", IEEE Trans. Computers 57(4), 2008). Inputs are finite.
static inline float fma_float(float a, float b, float c) {
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    return fmaf(a, b, c);
#else
    double p = (double)a * (double)b, dc = (double)c;
    double s = p + dc;
    double bv = s - p;
    double e = (p - (s - bv)) + (dc - bv);
    uint64_t u;
    memcpy(&u, &s, sizeof u);
    if (e != 0 && (u & 1) == 0) u += ((e > 0) == (s > 0)) ? 1 : (uint64_t)-1;
    memcpy(&s, &u, sizeof s);
    return (float)s;
#endif
}

/// The 16 lanes of one product, added in Double: ((L0 + L1) + (L2 + L3)) + ... pairwise.
static inline double lane_sum(const float *l) {
    double s[8];
    for (int t = 0; t < 8; t++) s[t] = (double)l[2 * t] + (double)l[2 * t + 1];
    double q0 = s[0] + s[1], q1 = s[2] + s[3], q2 = s[4] + s[5], q3 = s[6] + s[7];
    return (q0 + q1) + (q2 + q3);
}

/// Finishes an R x C tile of pairs (rows i + r, j + q): adds the columns [wv, w) that the
/// vector loop left (lane c mod 16, as in the loop) and adds each pair's chunk sum into out.
/// Pairs outside the matrix (row index >= n, from the clamped last tile) or below the
/// diagonal are skipped.
static void finish_tile(int R, int C, const float *const *a, const float *const *b, size_t i, size_t j,
                        size_t n, size_t wv, size_t w, float lanes[][LANES], double *out) {
    for (int r = 0; r < R; r++) {
        for (int q = 0; q < C; q++) {
            size_t ii = i + (size_t)r, jj = j + (size_t)q;
            if (ii >= n || jj >= n || ii > jj) continue;
            float *l = lanes[r * C + q];
            for (size_t c = wv; c < w; c++) l[c % LANES] = fma_float(a[r][c], b[q][c], l[c % LANES]);
            out[ii * n + jj] += lane_sum(l);
        }
    }
}

// MARK: - Generic C

static void gram_generic(const float *x, size_t n, size_t k, size_t lda, size_t chunk, double *out) {
    for (size_t c0 = 0; c0 < k; c0 += chunk) {
        size_t w = min_size(chunk, k - c0);
        size_t wv = w - w % LANES;
        for (size_t i = 0; i < n; i++) {
            const float *a = x + i * lda + c0;
            for (size_t j = i; j < n; j++) {
                const float *b = x + j * lda + c0;
                float lanes[1][LANES] = {{0}};
                for (size_t c = 0; c < wv; c += LANES) {
                    for (int t = 0; t < LANES; t++) lanes[0][t] = fma_float(a[c + t], b[c + t], lanes[0][t]);
                }
                finish_tile(1, 1, &a, &b, i, j, n, wv, w, lanes, out);
            }
        }
    }
}

#if defined(__x86_64__)

// MARK: - AVX2 + FMA: 4 x 3 pairs, lanes 0-7 then lanes 8-15

// The 16 lanes of a product are two independent sums (lanes 0-7 take columns 16m + 0..7,
// lanes 8-15 columns 16m + 8..15), so the kernel runs the chunk twice over one tile, once
// per half: 12 accumulators, 7 loads per 12 FMAs (a 2 x 2 tile of whole products needs 8
// per 8), and the tile's rows stay in L1 between the halves.
#define AVX2_R 4
#define AVX2_C 3

__attribute__((target("avx2,fma")))
static void gram_avx2(const float *x, size_t n, size_t k, size_t lda, size_t chunk, double *out) {
    for (size_t c0 = 0; c0 < k; c0 += chunk) {
        size_t w = min_size(chunk, k - c0);
        size_t wv = w - w % LANES;
        for (size_t i = 0; i < n; i += AVX2_R) {
            const float *a[AVX2_R];
            for (int r = 0; r < AVX2_R; r++) a[r] = x + min_size(i + (size_t)r, n - 1) * lda + c0;
            for (size_t j = (i / AVX2_C) * AVX2_C; j < n; j += AVX2_C) {
                const float *b[AVX2_C];
                for (int q = 0; q < AVX2_C; q++) b[q] = x + min_size(j + (size_t)q, n - 1) * lda + c0;
                float lanes[AVX2_R * AVX2_C][LANES];
                for (size_t h = 0; h < LANES; h += 8) {
                    __m256 s00 = _mm256_setzero_ps(), s01 = _mm256_setzero_ps(), s02 = _mm256_setzero_ps();
                    __m256 s10 = _mm256_setzero_ps(), s11 = _mm256_setzero_ps(), s12 = _mm256_setzero_ps();
                    __m256 s20 = _mm256_setzero_ps(), s21 = _mm256_setzero_ps(), s22 = _mm256_setzero_ps();
                    __m256 s30 = _mm256_setzero_ps(), s31 = _mm256_setzero_ps(), s32 = _mm256_setzero_ps();
                    for (size_t c = h; c < wv; c += LANES) {
                        __m256 b0 = _mm256_loadu_ps(b[0] + c), b1 = _mm256_loadu_ps(b[1] + c);
                        __m256 b2 = _mm256_loadu_ps(b[2] + c);
                        __m256 ar = _mm256_loadu_ps(a[0] + c);
                        s00 = _mm256_fmadd_ps(ar, b0, s00); s01 = _mm256_fmadd_ps(ar, b1, s01); s02 = _mm256_fmadd_ps(ar, b2, s02);
                        ar = _mm256_loadu_ps(a[1] + c);
                        s10 = _mm256_fmadd_ps(ar, b0, s10); s11 = _mm256_fmadd_ps(ar, b1, s11); s12 = _mm256_fmadd_ps(ar, b2, s12);
                        ar = _mm256_loadu_ps(a[2] + c);
                        s20 = _mm256_fmadd_ps(ar, b0, s20); s21 = _mm256_fmadd_ps(ar, b1, s21); s22 = _mm256_fmadd_ps(ar, b2, s22);
                        ar = _mm256_loadu_ps(a[3] + c);
                        s30 = _mm256_fmadd_ps(ar, b0, s30); s31 = _mm256_fmadd_ps(ar, b1, s31); s32 = _mm256_fmadd_ps(ar, b2, s32);
                    }
                    _mm256_storeu_ps(lanes[0] + h, s00); _mm256_storeu_ps(lanes[1] + h, s01); _mm256_storeu_ps(lanes[2] + h, s02);
                    _mm256_storeu_ps(lanes[3] + h, s10); _mm256_storeu_ps(lanes[4] + h, s11); _mm256_storeu_ps(lanes[5] + h, s12);
                    _mm256_storeu_ps(lanes[6] + h, s20); _mm256_storeu_ps(lanes[7] + h, s21); _mm256_storeu_ps(lanes[8] + h, s22);
                    _mm256_storeu_ps(lanes[9] + h, s30); _mm256_storeu_ps(lanes[10] + h, s31); _mm256_storeu_ps(lanes[11] + h, s32);
                }
                finish_tile(AVX2_R, AVX2_C, a, b, i, j, n, wv, w, lanes, out);
            }
        }
    }
}

// MARK: - AVX-512: 4 x 4 pairs, each product's 16 lanes in one register

#define FMA_ROW(r) \
    s[r][0] = _mm512_fmadd_ps(ar, b0, s[r][0]); s[r][1] = _mm512_fmadd_ps(ar, b1, s[r][1]); \
    s[r][2] = _mm512_fmadd_ps(ar, b2, s[r][2]); s[r][3] = _mm512_fmadd_ps(ar, b3, s[r][3]);

__attribute__((target("avx512f")))
static void gram_avx512(const float *x, size_t n, size_t k, size_t lda, size_t chunk, double *out) {
    for (size_t c0 = 0; c0 < k; c0 += chunk) {
        size_t w = min_size(chunk, k - c0);
        size_t wv = w - w % LANES;
        for (size_t i = 0; i < n; i += 4) {
            const float *a[4];
            for (int r = 0; r < 4; r++) a[r] = x + min_size(i + (size_t)r, n - 1) * lda + c0;
            for (size_t j = i; j < n; j += 4) {
                const float *b[4];
                for (int q = 0; q < 4; q++) b[q] = x + min_size(j + (size_t)q, n - 1) * lda + c0;
                __m512 s[4][4];
                for (int r = 0; r < 4; r++)
                    for (int q = 0; q < 4; q++) s[r][q] = _mm512_setzero_ps();
                for (size_t c = 0; c < wv; c += LANES) {
                    __m512 b0 = _mm512_loadu_ps(b[0] + c), b1 = _mm512_loadu_ps(b[1] + c);
                    __m512 b2 = _mm512_loadu_ps(b[2] + c), b3 = _mm512_loadu_ps(b[3] + c);
                    __m512 ar;
                    ar = _mm512_loadu_ps(a[0] + c); FMA_ROW(0)
                    ar = _mm512_loadu_ps(a[1] + c); FMA_ROW(1)
                    ar = _mm512_loadu_ps(a[2] + c); FMA_ROW(2)
                    ar = _mm512_loadu_ps(a[3] + c); FMA_ROW(3)
                }
                float lanes[16][LANES];
                for (int r = 0; r < 4; r++)
                    for (int q = 0; q < 4; q++) _mm512_storeu_ps(lanes[r * 4 + q], s[r][q]);
                finish_tile(4, 4, a, b, i, j, n, wv, w, lanes, out);
            }
        }
    }
}

#endif

void fedsim_gram_block(int isa, const float *x, size_t n, size_t k, size_t lda, size_t chunk, double *out) {
    if (n == 0 || k == 0) return;
    if (chunk == 0) chunk = k;
#if defined(__x86_64__)
    if (isa == FEDSIM_ISA_AVX512 && fedsim_isa_available(FEDSIM_ISA_AVX512)) {
        gram_avx512(x, n, k, lda, chunk, out);
        return;
    }
    if (isa == FEDSIM_ISA_AVX2 && fedsim_isa_available(FEDSIM_ISA_AVX2)) {
        gram_avx2(x, n, k, lda, chunk, out);
        return;
    }
#endif
    gram_generic(x, n, k, lda, chunk, out);
}
