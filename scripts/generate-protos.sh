#!/usr/bin/env bash
# Regenerates Sources/CasefileRuntimeAPI/Generated/ from proto/.
#
# Tool versions the committed code was generated with:
#   protoc                    libprotoc 3.21.12 (Debian 12 package `protobuf-compiler`)
#   protoc-gen-swift          1.39.0 (apple/swift-protobuf)
#   protoc-gen-grpc-swift-2   2.4.1  (grpc/grpc-swift-protobuf; runtime grpc/grpc-swift-2 2.x)
#   Swift                     6.3.1 (builds the two plugins)
#
# The plugins are built from the project's own dependencies (swift-protobuf and grpc-swift-protobuf
# are in Package.swift), in its .build, so a build that has compiled the project compiles only the two
# plugins' own sources.
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
echo "building protoc plugins from the project's dependencies ..." >&2
(cd "$ROOT" && "$SWIFT" build --product protoc-gen-swift >&2 && "$SWIFT" build --product protoc-gen-grpc-swift-2 >&2)
BIN="$(cd "$ROOT" && "$SWIFT" build --show-bin-path)"
PLUGIN_SWIFT="$BIN/protoc-gen-swift"
PLUGIN_GRPC="$BIN/protoc-gen-grpc-swift-2"
[[ "$("$PLUGIN_SWIFT" --version)" == "protoc-gen-swift $SWIFT_PROTOBUF_VERSION" ]] ||
  echo "warning: $("$PLUGIN_SWIFT" --version) differs from $SWIFT_PROTOBUF_VERSION used for the committed code" >&2
[[ "$("$PLUGIN_GRPC" --version)" == "protoc-gen-grpc-swift-2 $GRPC_SWIFT_PROTOBUF_VERSION" ]] ||
  echo "warning: $("$PLUGIN_GRPC" --version) differs from $GRPC_SWIFT_PROTOBUF_VERSION used for the committed code" >&2

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
