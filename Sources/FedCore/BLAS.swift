import CBLAS

// MARK: - Matrix multiply

/// Row-major single-precision matrix multiply (BLAS `sgemm`):
///
///     C = alpha * op(A) * op(B) + beta * C
///
/// where `op(X)` is `X` or its transpose, `op(A)` is `m x k`, `op(B)` is `k x n` and `C` is
/// `m x n`. All matrices are row-major with leading dimensions `lda`, `ldb`, `ldc` (the row
/// stride of the matrix as stored, i.e. before `op`). With `beta == 0` the previous content
/// of `C` is ignored (overwritten), even if it holds NaN.
///
/// This file is the only place in FedCore's model code that imports CBLAS, so the kernel can
/// be swapped (Accelerate, a reference loop) in one place.
public func gemm(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafeBufferPointer<Float>, lda: Int,
    b: UnsafeBufferPointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutableBufferPointer<Float>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m = \(m), n = \(n), k = \(k)")
    guard m > 0, n > 0 else { return }
    // Rows and columns of A and B as stored.
    let (aRows, aCols) = transA ? (k, m) : (m, k)
    let (bRows, bCols) = transB ? (n, k) : (k, n)
    precondition(ldc >= n && c.count >= (m - 1) * ldc + n,
                 "gemm: C needs \(m) x \(n) with ldc = \(ldc); buffer has \(c.count)")
    guard k > 0 else {
        // Empty inner dimension: C = beta * C (BLAS would reject lda = 0 here).
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
        return
    }
    precondition(lda >= aCols && a.count >= (aRows - 1) * lda + aCols,
                 "gemm: A needs \(aRows) x \(aCols) with lda = \(lda); buffer has \(a.count)")
    precondition(ldb >= bCols && b.count >= (bRows - 1) * ldb + bCols,
                 "gemm: B needs \(bRows) x \(bCols) with ldb = \(ldb); buffer has \(b.count)")
    guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else { return }
    cblas_sgemm(
        CblasRowMajor,
        transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans,
        blasint(m), blasint(n), blasint(k),
        alpha, pa, blasint(lda), pb, blasint(ldb),
        beta, pc, blasint(ldc))
}

// MARK: - Threads

/// Sets the number of threads OpenBLAS uses for every later call in this process.
///
/// OpenBLAS starts one thread per core by default; client processes sharing a few cores
/// should call `setBLASThreads(1)` to avoid oversubscription. The coordinator may use more.
public func setBLASThreads(_ n: Int) {
    precondition(n >= 1, "setBLASThreads needs at least one thread; got \(n)")
    openblas_set_num_threads(Int32(clamping: n))
}

/// The number of threads OpenBLAS uses for the next call in this process
/// (`openblas_get_num_threads`): what to restore after a temporary `setBLASThreads`.
public func blasThreads() -> Int {
    Int(openblas_get_num_threads())
}
