/// The Docker Engine API's JSON (also Podman's compatible API), only the fields used: a missing
/// field or null is nil, a wrong type is an error.
struct EngineContainerJSON: Decodable {
    var id: String?
    var name: String?
    var created: String?
    var image: String?
    var state: State?
    var config: Config?

    struct State: Decodable {
        var startedAt: String?
        /// The container's init process (host pid); 0 when it is not running.
        var pid: Int32?
        enum CodingKeys: String, CodingKey { case startedAt = "StartedAt", pid = "Pid" }
    }

    struct Config: Decodable {
        var image: String?
        var labels: [String: String]?
        enum CodingKeys: String, CodingKey { case image = "Image", labels = "Labels" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", created = "Created", image = "Image", state = "State", config = "Config"
    }
}

struct EngineImageJSON: Decodable {
    var id: String?
    var repoDigests: [String]?
    enum CodingKeys: String, CodingKey { case id = "Id", repoDigests = "RepoDigests" }
}

struct EngineEventJSON: Decodable {
    var type: String?
    var action: String?
    var status: String?
    var id: String?
    var actor: Actor?
    var time: Int64?
    var timeNano: Int64?

    struct Actor: Decodable {
        var id: String?
        var attributes: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", status, id, actor = "Actor", time, timeNano
    }
}

