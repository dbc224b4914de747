/// Splits `data` into a training and a test set with the class proportions preserved.
///
/// For each class k in 0, 1, ..., classes − 1 (in that order): take the indices of class k in
/// dataset order, shuffle them with `rng` (Fisher–Yates), and put the first
/// round(testFraction · |class k|) of them (rounding half away from zero) into the test set,
/// the rest into the training set. Both sets are then returned in ascending original index
/// order, so the result depends only on the data and the generator state, and the test set
/// of class k holds round(testFraction · |class k|) samples exactly.
///
/// - Precondition: 0 <= testFraction <= 1.
public func stratifiedSplit(_ data: Dataset, testFraction: Double,
                            rng: inout SeededRNG) -> (train: Dataset, test: Dataset) {
    let (train, test) = stratifiedSplitIndices(data, testFraction: testFraction, rng: &rng)
    var (a, b) = (data.subset(train), data.subset(test))
    a.sourceRows = train.map(data.sourceRow)
    b.sourceRows = test.map(data.sourceRow)
    return (a, b)
}

/// The indices behind `stratifiedSplit` (same algorithm, same draws): each list ascending.
public func stratifiedSplitIndices(_ data: Dataset, testFraction: Double,
                                   rng: inout SeededRNG) -> (train: [Int], test: [Int]) {
    precondition(testFraction >= 0 && testFraction <= 1,
                 "stratifiedSplit: testFraction must be in [0, 1]; got \(testFraction)")
    var byClass = [[Int]](repeating: [], count: data.classes)
    for (i, y) in data.labels.enumerated() { byClass[Int(y)].append(i) }
    var inTest = [Bool](repeating: false, count: data.count)
    for k in 0..<data.classes {
        var idx = byClass[k]
        rng.shuffle(&idx)
        let nTest = Int((testFraction * Double(idx.count)).rounded(.toNearestOrAwayFromZero))
        for i in idx.prefix(nTest) { inTest[i] = true }
    }
    var train = [Int]()
    var test = [Int]()
    for i in 0..<data.count {
        if inTest[i] { test.append(i) } else { train.append(i) }
    }
    return (train, test)
}
