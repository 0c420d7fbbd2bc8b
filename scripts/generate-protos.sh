#!/usr/bin/env bash
# Regenerates Sources/CasefileRuntimeAPI/Generated/ from proto/.
#
# Tool versions the committed code was generated with:
#   protoc                    libprotoc 3.21.12 (Debian 12 package `protobuf-compiler`)
#   protoc-gen-swift          1.39.0 (apple/swift-protobuf)
#   protoc-gen-grpc-swift-2   2.4.1  (grpc/grpc-swift-protobuf; runtime grpc/grpc-swift-2 2.x)
#   Swift                     6.3.1 (builds the two plugins)
#
# The plugins are built in a scratch SwiftPM package (default /tmp/casefile-protogen,
# override with PROTOGEN_DIR) the first time; later runs reuse them.
# Options: Visibility=Public, FileNaming=PathToUnderscores; gRPC clients and servers.
#
# Usage: scripts/generate-protos.sh          regenerate in place
#        scripts/generate-protos.sh --check  exit 1 if the committed code is stale
set -euo pipefail

SWIFT_PROTOBUF_VERSION=1.39.0
GRPC_SWIFT_PROTOBUF_VERSION=2.4.1
PROTOC_VERSION="libprotoc 3.21.12"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROTO_DIR="$ROOT/proto"
OUT_DIR="$ROOT/Sources/CasefileRuntimeAPI/Generated"
PROTOGEN_DIR="${PROTOGEN_DIR:-/tmp/casefile-protogen}"
WKT_INCLUDE="${WKT_INCLUDE:-/usr/include}"   # google/protobuf/{any,timestamp}.proto

check=0
[[ "${1:-}" == "--check" ]] && check=1

command -v protoc >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
if [[ "$(protoc --version)" != "$PROTOC_VERSION" ]]; then
  echo "warning: $(protoc --version) differs from $PROTOC_VERSION used for the committed code" >&2
fi
[[ -f "$WKT_INCLUDE/google/protobuf/timestamp.proto" ]] || {
  echo "google/protobuf/timestamp.proto not under $WKT_INCLUDE (apt-get install libprotobuf-dev)" >&2; exit 1; }

SWIFT="${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}"
PLUGIN_SWIFT="$PROTOGEN_DIR/.build/release/protoc-gen-swift"
PLUGIN_GRPC="$PROTOGEN_DIR/.build/release/protoc-gen-grpc-swift-2"

plugin_ok() {
  [[ -x "$PLUGIN_SWIFT" && -x "$PLUGIN_GRPC" ]] &&
    [[ "$("$PLUGIN_SWIFT" --version)" == "protoc-gen-swift $SWIFT_PROTOBUF_VERSION" ]] &&
    [[ "$("$PLUGIN_GRPC" --version)" == "protoc-gen-grpc-swift-2 $GRPC_SWIFT_PROTOBUF_VERSION" ]]
}

if ! plugin_ok; then
  echo "building protoc plugins in $PROTOGEN_DIR ..." >&2
  mkdir -p "$PROTOGEN_DIR/Sources/Placeholder"
  cat > "$PROTOGEN_DIR/Package.swift" <<SWIFT
// swift-tools-version: 6.1
// Scratch package: builds the protoc plugins for casefile's scripts/generate-protos.sh.
import PackageDescription
let package = Package(
    name: "casefile-protogen",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "$SWIFT_PROTOBUF_VERSION"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "$GRPC_SWIFT_PROTOBUF_VERSION"),
    ],
    targets: [.target(name: "Placeholder")]
)
SWIFT
  echo "enum Placeholder {}" > "$PROTOGEN_DIR/Sources/Placeholder/Placeholder.swift"
  (cd "$PROTOGEN_DIR" &&
    "$SWIFT" build -c release --product protoc-gen-swift &&
    "$SWIFT" build -c release --product protoc-gen-grpc-swift-2)
  plugin_ok || { echo "plugin build did not produce the expected versions" >&2; exit 1; }
fi

# Every .proto under proto/, relative to proto/ (that is also the import root).
mapfile -t ALL < <(cd "$PROTO_DIR" && find . -name '*.proto' | sed 's#^\./##' | LC_ALL=C sort)
# Only files declaring a service get gRPC stubs.
mapfile -t SERVICES < <(cd "$PROTO_DIR" && grep -l '^service ' "${ALL[@]}" | LC_ALL=C sort)

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

protoc -I "$PROTO_DIR" -I "$WKT_INCLUDE" \
  --plugin=protoc-gen-swift="$PLUGIN_SWIFT" \
  --swift_out="$TMP" \
  --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
  "${ALL[@]/#/$PROTO_DIR/}"

protoc -I "$PROTO_DIR" -I "$WKT_INCLUDE" \
  --plugin=protoc-gen-grpc-swift-2="$PLUGIN_GRPC" \
  --grpc-swift-2_out="$TMP" \
  --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true \
  "${SERVICES[@]/#/$PROTO_DIR/}"

if (( check )); then
  if diff -r "$TMP" "$OUT_DIR" >/dev/null 2>&1; then
    echo "generated code is up to date"
  else
    diff -r "$TMP" "$OUT_DIR" | head -40 >&2 || true
    echo "generated code is stale: run scripts/generate-protos.sh" >&2
    exit 1
  fi
else
  mkdir -p "$OUT_DIR"
  find "$OUT_DIR" -maxdepth 1 \( -name '*.pb.swift' -o -name '*.grpc.swift' \) -delete
  cp "$TMP"/*.swift "$OUT_DIR"/
  echo "wrote $(ls "$TMP" | wc -l) files to ${OUT_DIR#"$ROOT"/}"
fi
