import CKernels

/// Which instruction-set version of the aggregation kernels runs (`CKernels`): the best the
/// CPU has (AVX-512, else AVX2 + FMA, else portable C), or the one named by the environment
/// variable `FEDSIM_KERNELS` or by `select`. All versions compute the same numbers; the
/// choice changes speed only (tested: `KernelISATests`).
public enum KernelISA {
    /// Names of the versions, slowest first.
    public static let names = ["generic", "avx2", "avx512"]

    /// The version in use.
    public static var current: String { String(cString: fedsim_isa_name(fedsim_isa_selected())) }

    /// The versions this CPU runs.
    public static var available: [String] {
        names.filter { fedsim_isa_available(code($0) ?? 0) == 1 }
    }

    /// Uses version `name` ("generic", "avx2", "avx512" or "auto" for the best) from now on.
    public static func select(_ name: String) throws {
        if name == "auto" {
            _ = fedsim_isa_select(0)
            return
        }
        guard let c = code(name) else {
            throw KernelISAError("unknown kernel version '\(name)'; expected one of auto, \(names.joined(separator: ", "))")
        }
        guard fedsim_isa_select(c) == 0 else {
            throw KernelISAError("this CPU cannot run the \(name) kernels; it runs \(available.joined(separator: ", "))")
        }
    }

    /// Checks `FEDSIM_KERNELS` (if set) names a version this CPU runs; the one-line error
    /// otherwise (the kernels themselves would quietly use the best version).
    public static func validateEnvironment(_ value: String?) throws {
        guard let value, !value.isEmpty else { return }
        do { try select(value) } catch let e as KernelISAError {
            throw KernelISAError("FEDSIM_KERNELS: \(e.message)")
        }
    }

    static func code(_ name: String) -> Int32? {
        switch name {
        case "generic": return Int32(FEDSIM_ISA_GENERIC)
        case "avx2": return Int32(FEDSIM_ISA_AVX2)
        case "avx512": return Int32(FEDSIM_ISA_AVX512)
        default: return nil
        }
    }

    /// The selected version's code, for the kernels.
    static var selectedCode: Int32 { fedsim_isa_selected() }
}

/// A kernel version that does not exist or that this CPU cannot run.
public struct KernelISAError: Error, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
