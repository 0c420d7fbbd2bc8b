import CasefileModel
@testable import CasefileEnrich
import SwiftProtobuf
import Testing

/// Every time a runtime sends is range-checked: one outside what Int64 nanoseconds hold is
/// unknown (nil), never a trap.
@Suite struct RuntimeTimesTests {
    @Test func protobufTimestamps() {
        var t = Google_Protobuf_Timestamp()
        t.seconds = 1_796_033_036
        t.nanos = 937_271_979
        #expect(nanoseconds(t) == 1_796_033_036_937_271_979)
        t.seconds = 10_413_792_000 // 2300-01-01
        t.nanos = 0
        #expect(nanoseconds(t) == nil)
        t.seconds = -10_000_000_000 // 1653
        #expect(nanoseconds(t) == nil)
        t.seconds = 0
        t.nanos = -1
        #expect(nanoseconds(t) == nil)
    }

    @Test func textTimestamps() {
        #expect(Timestamp.rfc3339("2300-01-01T00:00:00Z") == nil)
        #expect(Timestamp.iso8601("2300-01-01") == nil)
        #expect(Timestamp.iso8601("2262-04-11") != nil)
        #expect(Timestamp.rfc3339("2026-02-30T00:00:00Z") == nil, "no 30 February")
    }
}
