/// Image references and digests: the one place that decides what counts as a digest, so every
/// runtime client records the same thing in `containers.image_digest` (a digest or nothing, never
/// an image name).
public enum ImageReference {
    /// `repo@sha256:<64 lowercase hex>` or `sha256:<64 lowercase hex>`.
    public static func isDigest(_ value: String) -> Bool {
        if value.hasPrefix("sha256:") { return isHex64(value.utf8.dropFirst(7)) }
        guard let at = value.range(of: "@sha256:"), at.lowerBound > value.startIndex else { return false }
        return isHex64(value[at.upperBound...].utf8)
    }

    /// `value` when it is a digest (see ``isDigest(_:)``), else nil.
    public static func digest(_ value: String?) -> String? {
        value.flatMap { isDigest($0) ? $0 : nil }
    }

    /// The repo digest to record for an image run as `image`, from the image's repo digests: the
    /// one whose repository is the image's (`nginx` = `docker.io/library/nginx`), else the first.
    /// Only digests count; nil when there is none.
    public static func repoDigest(from repoDigests: [String], image: String?) -> String? {
        let valid = repoDigests.filter(isDigest)
        if let image, !image.isEmpty, !isImageID(image) {
            let wanted = repository(of: image)
            if let match = valid.first(where: { repository(of: $0) == wanted }) { return match }
        }
        return valid.first
    }

    /// An image id rather than a name: `sha256:<hex>` or 64 hex.
    static func isImageID(_ value: String) -> Bool {
        value.hasPrefix("sha256:") || isHex64(value.utf8)
    }

    /// `sha256:<64 hex>` for an image id given as 64 hex or `sha256:<64 hex>`; nil for anything else (a name).
    static func imageID(_ value: String?) -> String? {
        guard let value else { return nil }
        if isHex64(value.utf8) { return "sha256:" + value }
        if value.hasPrefix("sha256:"), isHex64(value.utf8.dropFirst(7)) { return value }
        return nil
    }

    static func isHex64<S: Sequence<UInt8>>(_ bytes: S) -> Bool {
        var count = 0
        for b in bytes {
            guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
            count += 1
        }
        return count == 64
    }

    /// The repository of a reference, normalized the way Docker does: `nginx:1.27` and
    /// `docker.io/library/nginx@sha256:…` are both `docker.io/library/nginx`.
    static func repository(of reference: String) -> String {
        var name = Substring(reference)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = name[..<colon] }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        var domain = "docker.io"
        var path = String(name)
        if parts.count > 1, let first = parts.first, first.contains(".") || first.contains(":") || first == "localhost" {
            domain = String(first)
            path = parts.dropFirst().joined(separator: "/")
        }
        if domain == "index.docker.io" { domain = "docker.io" }
        if domain == "docker.io", !path.contains("/") { path = "library/" + path }
        return domain + "/" + path
    }
}
