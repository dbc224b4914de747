// A small fork-join pool for the aggregation kernels (see fedsim_parallel_run in CKernels.h).
//
// Why not Dispatch's concurrentPerform: a pass over a matrix that sits in cache takes 100 to
// 300 microseconds, and waking a parked worker thread costs tens of them. These helpers spin
// for a short while after each job before they park on a condition variable (as OpenBLAS's
// threads do), so back-to-back passes (a Weiszfeld iteration, the passes of one aggregation)
// start at once; a parked helper costs nothing.
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/// Spins (pause instructions) a helper makes before it parks: roughly 0.1 to 0.5 ms.
#define SPIN_LIMIT 20000
/// Helper threads at most (the pool is sized to the online cores minus the caller).
#define MAX_HELPERS 63

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_wake = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int helper_count = 0;

/// The job being run: fn, ctx and count are published before `claim` names the job's
/// generation, and `claim` before `generation` moves on.
static fedsim_task_fn _Atomic job_fn;
static void *_Atomic job_ctx;
static atomic_long job_count;
static atomic_long finished;
static atomic_ulong generation;
/// (generation << INDEX_BITS) | next unclaimed index of that generation's job. Indices are
/// claimed by compare-and-swap and only under the claimer's own generation, so a helper
/// still leaving an old job can neither take nor skip an index of the next one.
static atomic_ulong claim;
#define INDEX_BITS 24
#define INDEX_MASK ((1UL << INDEX_BITS) - 1)

static _Thread_local int inside_pool = 0;

/// Runs indices of job `gen` until none is left (or the job is no longer current).
static void drain(unsigned long gen) {
    for (;;) {
        unsigned long c = atomic_load(&claim);
        if ((c >> INDEX_BITS) != (gen & (~0UL >> INDEX_BITS))) return;
        long i = (long)(c & INDEX_MASK);
        if (i >= atomic_load(&job_count)) return;
        if (!atomic_compare_exchange_weak(&claim, &c, c + 1)) continue;
        fedsim_task_fn fn = atomic_load(&job_fn);
        fn(atomic_load(&job_ctx), i);
        atomic_fetch_add(&finished, 1);
    }
}

static void *helper_main(void *unused) {
    (void)unused;
    inside_pool = 1;
    unsigned long seen = atomic_load(&generation);
    for (;;) {
        int spins = 0;
        while (atomic_load(&generation) == seen) {
            if (++spins < SPIN_LIMIT) {
                CPU_RELAX();
                continue;
            }
            pthread_mutex_lock(&park_lock);
            while (atomic_load(&generation) == seen) pthread_cond_wait(&park_wake, &park_lock);
            pthread_mutex_unlock(&park_lock);
        }
        seen = atomic_load(&generation);
        drain(seen);
    }
    return NULL;
}

static void start_helpers(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long want = cores > 1 ? cores - 1 : 0;
    if (want > MAX_HELPERS) want = MAX_HELPERS;
    for (long t = 0; t < want; t++) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&thread, &attr, helper_main, NULL) == 0) helper_count++;
        pthread_attr_destroy(&attr);
    }
}

int fedsim_pool_helpers(void) {
    pthread_once(&start_once, start_helpers);
    return helper_count;
}

void fedsim_parallel_run(long count, fedsim_task_fn fn, void *ctx) {
    if (count <= 0) return;
    // Serially: a single task (or absurdly many), a call from inside a task, no helpers, or another thread's
    // job in progress (the pool runs one job at a time and never makes a caller wait).
    if (count == 1 || count > (long)INDEX_MASK || inside_pool || fedsim_pool_helpers() == 0 ||
        pthread_mutex_trylock(&submit_lock) != 0) {
        for (long i = 0; i < count; i++) fn(ctx, i);
        return;
    }
    unsigned long gen = atomic_load(&generation) + 1;
    atomic_store(&job_fn, fn);
    atomic_store(&job_ctx, ctx);
    atomic_store(&job_count, count);
    atomic_store(&finished, 0);
    atomic_store(&claim, (gen & (~0UL >> INDEX_BITS)) << INDEX_BITS);
    pthread_mutex_lock(&park_lock);
    atomic_store(&generation, gen);
    pthread_cond_broadcast(&park_wake);
    pthread_mutex_unlock(&park_lock);

    inside_pool = 1;
    drain(gen);
    inside_pool = 0;
    int spins = 0;
    while (atomic_load(&finished) < count) {
        if (++spins < SPIN_LIMIT) CPU_RELAX();
        else sched_yield();
    }
    pthread_mutex_unlock(&submit_lock);
}
