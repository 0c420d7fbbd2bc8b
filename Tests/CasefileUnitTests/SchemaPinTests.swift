@testable import CasefileStore
import Testing

/// Case files written by earlier builds are checked against the schema the embedded migrations
/// make (`CaseFile.checkSchema`), views included. Editing a migration or `views.sql` in place
/// would make every existing case file look tampered with: change the schema with a new
/// migration (which re-creates the views), then update the pins here.
@Suite struct SchemaPinTests {
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    static let pinned: [String: UInt64] = [
        "0001_initial.sql": 0x955c_5a3f_0fa4_6ca0,
        "0002_enrichment.sql": 0xac0a_dffd_37dc_dfe6,
        "0003_seals_and_attribution.sql": 0x72da_8fa8_e20b_e759,
        "0004_file_events.sql": 0x2057_fd01_1346_b4f4,
        "0005_network_events.sql": 0xfa90_aff1_f11a_f39b,
        "0006_privilege_events.sql": 0xc757_befc_a0b3_7c1b,
        "0007_investigation.sql": 0x5d88_29b7_1d9a_48a5,
        "0008_event_chunks.sql": 0x6dbc_905d_37ea_9ccc,
        "0009_main_thread.sql": 0x6e1b_43f0_195e_ecfa,
        "views.sql": 0xd51b_b0b9_0b2c_37a6,
    ]

    @Test func migrationsAndViewsAreNotEditedInPlace() {
        var current: [String: UInt64] = [:]
        for migration in CaseFile.migrations { current[migration.name] = Self.fnv1a(migration.sql) }
        current["views.sql"] = Self.fnv1a(CaseFile.views)
        for (name, hash) in current.sorted(by: { $0.key < $1.key }) {
            #expect(Self.pinned[name] == hash,
                    "schema/\(name) is not what earlier builds wrote (\(String(hash, radix: 16))): add a migration instead of editing it, then pin it here")
        }
        #expect(Set(Self.pinned.keys) == Set(current.keys), "a pinned schema file is gone")
    }
}
