import Foundation

/// Labels as stored in `containers.labels` and `pods.labels`.
enum LabelsJSON {
    /// A JSON object with sorted keys (stable, diffable, readable with sqlite's json functions).
    static func encode(_ labels: [String: String]) -> String {
        var out = "{"
        for (i, key) in labels.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += jsonString(key) + ":" + jsonString(labels[key] ?? "")
        }
        return out + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

}
