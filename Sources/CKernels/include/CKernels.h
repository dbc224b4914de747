#ifndef FEDSIM_CKERNELS_H
#define FEDSIM_CKERNELS_H

#include <stddef.h>

/// Hot loops of the aggregators, in C so that each can be compiled for several instruction
/// sets and picked at run time (Swift has no per-function target attributes). The build
/// keeps the baseline x86-64 target; AVX2+FMA and AVX-512 versions run where the CPU has
/// them. Every version computes the SAME numbers: the lane layout (which column goes into
/// which partial sum) and the order of every addition are fixed by the algorithm, not by
/// the vector width, and products are fused (FMA) in every version or in none. So results
/// do not depend on the machine's instruction set, only on the data.

/// Instruction-set versions of the kernels.
enum {
    FEDSIM_ISA_GENERIC = 1,  ///< portable C (any CPU)
    FEDSIM_ISA_AVX2 = 2,     ///< x86-64 AVX2 + FMA
    FEDSIM_ISA_AVX512 = 3,   ///< x86-64 AVX-512F
};

/// The best version this CPU runs, unless FEDSIM_KERNELS (generic, avx2, avx512) asks for
/// another one that it also runs; read once.
int fedsim_isa_selected(void);
/// The best version this CPU (and its operating system) runs.
int fedsim_isa_best(void);
/// 1 when this CPU runs version `isa`, else 0.
int fedsim_isa_available(int isa);
/// "generic", "avx2", "avx512", or "unknown".
const char *fedsim_isa_name(int isa);
/// Makes `isa` the version used from now on (0 = the best). Returns 0, or -1 when this CPU
/// cannot run it (the choice is then unchanged).
int fedsim_isa_select(int isa);

/// Float partial sums per inner product in `fedsim_gram_block`: column c of a chunk goes
/// into lane c mod 16.
#define FEDSIM_GRAM_LANES 16

/// Adds into `out` (n x n, row-major, upper triangle i <= j only) the inner products of the
/// n rows of the n x k block at `x` (leading dimension `lda`), chunk by chunk: within a
/// chunk of `chunk` columns each product is summed in Float over 16 lanes with FMA, the
/// lanes are added in Double in a fixed pairwise order, and that Double is added to out.
void fedsim_gram_block(int isa, const float *x, size_t n, size_t k, size_t lda, size_t chunk,
                       double *out);

/// acc[j] += sum over g of coef[g] * x[rows[g] * ld + c0 + j] for j < k, in Double without
/// FMA. The m rows are cut into ceil(m / 8) consecutive groups of balanced sizes (the first
/// m mod groups one row larger: 10 rows = 5 + 5); each group adds to acc its products summed
/// as ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)), padded with products +0.0.
void fedsim_combine_rows(int isa, const float *x, size_t ld, const ptrdiff_t *rows,
                         const double *coef, size_t m, size_t c0, size_t k, double *acc);

/// One block of a weighted row combination: acc[j] = offset_scale * offset[c0 + j] (or 0
/// when offset is NULL), then `fedsim_combine_rows`, then out[c0 + j] = (float)acc[j].
void fedsim_combine_block(int isa, const float *x, size_t ld, const ptrdiff_t *rows, const double *coef,
                          size_t m, size_t c0, size_t k, const float *offset, double offset_scale,
                          double *acc, float *out);

/// Sum over j < k of (row[j] - v[j])^2 in Double: column j in lane j mod 8, no FMA, lanes
/// added pairwise.
double fedsim_squared_distance(int isa, const float *row, const double *v, size_t k);

/// Sum of count Floats with the selected version's widest loads: a pass that only reads, the
/// memory floor the benchmarks compare the aggregators with (its bits depend on the version;
/// it is a measurement, not an aggregate).
double fedsim_read_sum(const float *x, size_t count);

/// The compute floor the benchmarks compare the Gram-bound rules with: `iterations` rounds of
/// 12 independent multiply-add chains in registers (FMA in the AVX2 and AVX-512 versions,
/// multiply then add in the portable one), no memory traffic. Returns a checksum, so the work
/// cannot be skipped; `fedsim_peak_fmas_per_iteration(isa)` Float multiply-adds are done per
/// iteration.
double fedsim_peak_fma(int isa, long iterations);
/// Float multiply-adds per iteration of `fedsim_peak_fma` in version `isa` (12 x lanes).
long fedsim_peak_fmas_per_iteration(int isa);
/// A task of `fedsim_parallel_run`: called once per index.
typedef void (*fedsim_task_fn)(void *ctx, long index);

/// Calls fn(ctx, i) for every i in [0, count), on the calling thread and the pool's helper
/// threads (one per other online core, started on first use, spinning briefly between
/// jobs), and returns when all calls have returned. Runs the calls on the calling thread
/// alone when count is 1, when called from inside a task, or while another thread's job
/// is running.
void fedsim_parallel_run(long count, fedsim_task_fn fn, void *ctx);

/// The number of helper threads (starts them if needed).
int fedsim_pool_helpers(void);

#endif
