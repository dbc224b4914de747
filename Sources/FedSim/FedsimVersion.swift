/// The version of fedsim: the one place it is written. `fedsim --version` prints it, and a test
/// checks that the executable and docs/CLI.md agree with it.
public enum FedsimVersion {
    public static let string = "0.16.0"
}
