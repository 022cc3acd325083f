public import Catalog
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a file cannot be read, in words a person can act on.
public enum FileAccess {
    /// `nil` when `path` is a readable file; else what stands in the way: it is missing (or its folder
    /// is), it is a folder, or it may not be read.
    public static func problem(reading path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? "no such file" : String(cString: strerror(errno))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { return "it is a folder, not a file" }
        if access(path, R_OK) != 0 { return "permission denied: it may not be read by this user" }
        return nil
    }

    /// The whole-file error for `path` (shown as `file`), with the reason it cannot be read.
    public static func unreadable(_ path: String, shownAs file: String? = nil, what: String) -> InputError {
        InputError("cannot read \(what): \(problem(reading: path) ?? "it could not be read")", at: .wholeFile(file ?? path))
    }
}
