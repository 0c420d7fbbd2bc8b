-- Casefile schema version 2: what container runtimes say about containers (enrichment).

-- The image's own id (sha256 of its config), distinct from image_digest (the repo digest).
ALTER TABLE containers ADD COLUMN image_id TEXT;
-- Kubernetes container name (io.kubernetes.container.name), distinct from the runtime's name.
ALTER TABLE containers ADD COLUMN kube_container_name TEXT;
-- 1 for a pod's sandbox ("pause") container.
ALTER TABLE containers ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0;
-- When the runtime says it created the container (UTC ns). Kept apart from created_at, which is
-- what the kernel saw (the container's cgroup mkdir): one is hearsay, the other evidence.
ALTER TABLE containers ADD COLUMN runtime_created_at INTEGER;

-- Runtime endpoints found (or given with --runtime-socket) when the session started, and
-- whether enrichment was on: e.g. 'docker:/var/run/docker.sock, cri:/run/containerd/containerd.sock'.
ALTER TABLE sessions ADD COLUMN runtimes TEXT;
-- Enrichment requests dropped because the enrichment queue was full (those containers keep
-- only what their cgroup path says).
ALTER TABLE sessions ADD COLUMN enrichment_dropped INTEGER NOT NULL DEFAULT 0;
