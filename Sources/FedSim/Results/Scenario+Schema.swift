import FedResults
import FedRobust

extension Scenario {
    /// The figure columns this scenario's defence reports: its rule's declared figures, its
    /// pre-aggregation steps', and the DP mechanism's when `dp:` is on.
    var defenseFigures: [Column] {
        var figures = defense.aggregator.descriptor.figures
        figures += defense.preAggregation.flatMap(\.descriptor.figures)
        if defense.dp != nil { figures += GaussianMechanism.figureDocs }
        return figures.map { Column.figure($0.name, doc: $0.doc) }
    }

    /// The columns of the threat evaluations (`evaluate:`), empty when there are none.
    var evaluationFigures: [Column] {
        ThreatEvaluator.figures(evaluate).map { Column.figure($0.name, doc: $0.doc) }
    }

    /// rounds.csv's columns for this scenario.
    var roundsSchema: TableSchema { RoundsColumns.columns(figures: defenseFigures + evaluationFigures) }
}
