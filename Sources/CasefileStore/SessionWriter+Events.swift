import CasefileModel

/// Events and the process rows they make: one `events` row per event, its side-table row (exec),
/// and the process instance it belongs to.
extension SessionWriter {
    // MARK: - Processes found at start

    func upsert(_ p: ProcessRecord, _ s: WriterStatements) throws {
        let u = s.snapshotProcess
        u.bindText(.bootID, bootID)
        u.bind(.pid, Int64(p.key.pid))
        u.bind(.startTicks, Int64(bitPattern: p.key.startTicks))
        u.bind(.startBootNs, Int64(bitPattern: p.key.startBootNanoseconds))
        u.bind(.startedAt, clock.utc(p.key.startBootNanoseconds))
        u.bind(.ppid, Int64(p.ppid))
        u.bindText(.exe, p.exe?.bytes)
        u.bindBlob(.argv, p.argv?.bytes)
        u.bindText(.cmdline, p.argv.map { Display.commandLine(argv: $0.bytes) })
        u.bindText(.comm, p.comm?.bytes)
        u.bind(.uid, p.uid.map { Int64($0) })
        u.bind(.gid, p.gid.map { Int64($0) })
        u.bind(.nsPID, p.namespacePID.map { Int64($0) })
        u.bind(.mntNS, p.mountNamespace.map { Int64($0) })
        u.bind(.pidNS, p.pidNamespace.map { Int64($0) })
        u.bind(.cgroup, try p.cgroupID.flatMap { try cgroupRow(hierarchy: session.cgroupHierarchy, id: $0, path: nil, s) })
        u.bind(.session, sessionID)
        let id = try u.runReturningID()
        processIDs[p.key] = id
        touch(.processes, id)
    }

    func linkParent(_ p: ProcessRecord, _ s: WriterStatements) throws {
        guard let parentKey = p.parent, let parent = processIDs[parentKey], let child = processIDs[p.key] else { return }
        s.setParent.bind(.parent, parent)
        s.setParent.bind(.process, child)
        try s.setParent.run()
        touch(.processes, child)
    }

    // MARK: - Events

    /// Writes an event's row (and what it changes); false when its kind is not stored by this
    /// session (`record --events`: its process and cgroup facts are still written).
    @discardableResult
    func insert(_ r: ResolvedEvent, _ s: WriterStatements) throws -> Bool {
        let e = r.event
        let currentCgroup = try cgroupRow(hierarchy: session.cgroupHierarchy, id: e.cgroupID, path: nil, s)
        var row = EventRow()

        switch e.body {
        case .exec(let x):
            row.uid = Int64(x.uid)
            row.process = try upsertExec(x, parent: try r.parent.map { try processRow($0, s) }, cgroup: currentCgroup, s)
            row.aux = Int64(x.oldPID)
        case .fork(let f):
            row.uid = Int64(f.uid)
            let parentID = try processRow(f.parent, s, comm: f.comm)
            row.process = parentID
            row.aux = Int64(f.child.pid)
            row.object = try insertChild(f, parent: parentID, cgroup: currentCgroup, s)
        case .exit(let x):
            let id = try processRow(x.process, s, comm: x.comm, ppid: x.ppid)
            let u = s.exitProcess
            u.bind(.exitedAt, r.time)
            u.bind(.code, x.signal == 0 ? Int64(x.code) : nil)
            u.bind(.signal, x.signal == 0 ? nil : Int64(x.signal))
            u.bind(.process, id)
            try u.run()
            touch(.processes, id)
            row.process = id
            row.ret = x.signal == 0 ? Int64(x.code) : nil
            row.aux = Int64(x.signal) + (x.coreDumped ? 128 : 0)
            // The instance is finished: later references to it are rare, drop it from the cache.
            processIDs[x.process] = nil
        case .cgroup(let c):
            row.process = r.storeRow ? try r.process.map { try processRow($0, s) } : nil
            // mkdir: the row was written from the pipeline's CgroupRecord; rmdir may be of a cgroup never seen.
            // (a cut path never replaces a whole one)
            let cgroup = try cgroupRow(hierarchy: c.hierarchyID, id: c.id, path: c.change == .rmdir && !c.pathTruncated ? c.path : nil, s)
            if c.change == .rmdir {
                removedCgroups.append((r.time, CgroupKey(hierarchy: c.hierarchyID, id: c.id)))
                s.cgroupRemoved.bind(.removedAt, r.time)
                s.cgroupRemoved.bind(.level, Int64(c.level))
                s.cgroupRemoved.bind(.cgroup, cgroup)
                try s.cgroupRemoved.run()
                if let cgroup { touch(.cgroups, cgroup) }
            }
            if let removed = r.removesContainer {
                s.containerRemoved.bind(.removedAt, r.time)
                s.containerRemoved.bindText(.id, removed)
                s.containerRemoved.bindText(.path, c.path.bytes)
                try s.containerRemoved.run()
                touch(.containers, text: removed)
            }
            row.aux = Int64(c.hierarchyID)
            row.object = cgroup
        case .open(let o):
            row.ret = Self.result(o.result)
            row.aux = Int64(o.flags)
            row.aux2 = Int64(o.mode)
            // The directory fd matters only for a relative path given against one.
            row.aux3 = o.dirFD == FileOpen.atFDCWD || o.path.bytes.first == UInt8(ascii: "/") ? nil : Int64(o.dirFD)
            row.object = o.pathUnreadable ? nil : try pathRow(o.path, truncated: o.pathTruncated, s)
        case .path(let p):
            row.ret = Self.result(p.result)
            row.aux = p.argument
            if EventKind.fdCalls.contains(p.kind) {
                row.aux3 = Int64(p.dirFD) // the file descriptor; there is no path
            } else {
                row.aux3 = p.dirFD == FileOpen.atFDCWD || p.path.bytes.first == UInt8(ascii: "/") || p.kind == .symlink ? nil : Int64(p.dirFD)
                row.object = p.pathUnreadable ? nil : try pathRow(p.path, truncated: p.pathTruncated, s)
            }
            if EventKind.twoPaths.contains(p.kind), !p.path2Unreadable { row.aux2 = try pathRow(p.path2, truncated: p.path2Truncated, s) }
            if p.kind == .chown || p.kind == .fchown { // uid and gid, each as chown takes it (-1: unchanged)
                row.aux = Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: p.argument)))
                row.aux2 = Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: p.argument >> 32)))
            }
        case .net(let n):
            row.ret = Self.result(n.result)
            row.aux3 = Int64(n.fd)
            if n.kind == .listen {
                row.aux = Int64(n.argument)
            } else if n.family != 0 {
                row.aux = Int64(n.family)
                row.aux2 = n.family == 2 || n.family == 10 ? Int64(n.port) : nil
                row.object = try addressRow(family: n.family, n.address, s)
            } else if n.kind != .accept {
                row.aux = 0 // connect, bind: the address could not be read
            }
        case .call(let c):
            row.ret = Self.result(c.result)
            try mapCall(c, into: &row, s)
        }
        if row.process == nil, let key = r.process { row.process = try processRow(key, s) }
        // A kind the session does not store (`record --events`), or an event of a cgroup out of
        // scope: what it changes is written above, not its row.
        guard r.storeRow, storedKinds.contains(e.kind) else { return false }

        var v = EventValues(id: 0, session: sessionID, ts: r.time, kind: Int64(e.kind.rawValue), pid: Int64(e.pid),
                            tid: e.tid == e.pid ? nil : Int64(e.tid), // NULL: the main thread (schema 0009)
                            uid: row.uid, process: row.process, cgroup: currentCgroup, ret: row.ret, aux: row.aux,
                            object: row.object, comm: e.comm.bytes.isEmpty ? nil : try commRow(e.comm, s), aux2: row.aux2, aux3: row.aux3)
        let ev = s.event
        ev.bind(.session, v.session)
        ev.bind(.ts, v.ts)
        ev.bind(.kind, v.kind)
        ev.bind(.pid, v.pid)
        ev.bind(.tid, v.tid)
        ev.bind(.uid, v.uid)
        ev.bind(.process, v.process)
        ev.bind(.cgroup, v.cgroup)
        ev.bind(.ret, v.ret)
        ev.bind(.aux, v.aux)
        ev.bind(.object, v.object)
        ev.bind(.comm, v.comm)
        ev.bind(.aux2, v.aux2)
        ev.bind(.aux3, v.aux3)
        try ev.run()
        // the connection's last insert rowid changes with the next insert (a chunk row too): kept here
        let eventID = ev.lastInsertRowID
        noteEvent(eventID)
        v.id = eventID
        if s.encodesWrittenRows { written.add(v) }
        if r.foldCount > 1, let last = r.lastTime {
            let f = s.eventFold
            f.bind(.event, eventID)
            f.bind(.count, r.foldCount)
            f.bind(.lastTS, last)
            try f.run()
            touch(.eventFolds, eventID)
        }

        if case .exec(let x) = e.body {
            let d = s.execDetail
            let cmdline = Array(Display.commandLine(argv: x.argv.bytes, truncated: x.argvTruncated).utf8)
            d.bind(.event, eventID)
            d.bindText(.filename, x.filename.bytes)
            d.bindBlob(.argv, x.argv.bytes)
            d.bindText(.cmdline, cmdline)
            d.bind(.argvTruncated, x.argvTruncated)
            d.bind(.filenameTruncated, x.filenameTruncated)
            d.bind(.argvUnreadable, x.argvUnreadable)
            d.bind(.filenameUnreadable, x.filenameUnreadable)
            try d.run()
            if s.encodesWrittenRows {
                written.addExec(event: eventID, filename: x.filename.bytes, argv: x.argv.bytes, cmdline: cmdline,
                                argvTruncated: x.argvTruncated, filenameTruncated: x.filenameTruncated,
                                argvUnreadable: x.argvUnreadable, filenameUnreadable: x.filenameUnreadable)
            }
            if session.settings.captureEnvironment {
                let v = s.execEnvironment
                v.bind(.event, eventID)
                v.bindBlob(.env, x.environment?.bytes ?? [])
                v.bind(.truncated, x.environmentTruncated)
                v.bind(.unreadable, x.environmentUnreadable)
                try v.run()
                touch(.execEnvironments, eventID)
            }
        }
        // last: writing a full chunk inserts rows of its own
        try noteChunk(event: eventID, ts: r.time, cgroup: currentCgroup, s)
        return true
    }

    /// `events.ret` of a syscall result: NULL when the thread exited inside the call.
    private static func result(_ r: Int64) -> Int64? { r == SyscallResult.didNotReturn ? nil : r }

    /// The columns of a privilege or escape call (their meaning per kind is in `event_kinds`).
    private func mapCall(_ c: PrivilegeCall, into row: inout EventRow, _ s: WriterStatements) throws {
        func path(_ text: ByteString?, truncated: Bool, unreadable: Bool) throws -> Int64? {
            guard let text, !unreadable else { return nil }
            return try pathRow(text, truncated: truncated, s)
        }
        let main = try path(c.string, truncated: c.stringTruncated, unreadable: c.stringUnreadable)
        let second = try path(c.string2, truncated: c.string2Truncated, unreadable: c.string2Unreadable)
        let name = c.name.bytes.isEmpty ? nil : try pathRow(c.name, truncated: false, s)
        let a = c.argument
        switch c.kind {
        case .setuid, .setgid, .setfsuid, .setfsgid:
            row.aux = a(0)
        case .setreuid, .setregid:
            (row.aux, row.aux2) = (a(0), a(1))
        case .setresuid, .setresgid:
            (row.aux, row.aux2, row.aux3) = (a(0), a(1), a(2))
        case .capset:
            if !c.stringUnreadable { (row.aux, row.aux2, row.aux3) = (a(0), a(1), a(2)) }
        case .ptrace:
            (row.aux, row.aux2, row.aux3) = (a(0), a(1), a(2))
        case .mount:
            (row.aux, row.object, row.aux2, row.aux3) = (a(0), main, second, name)
        case .umount, .moduleUnload:
            (row.aux, row.object) = (a(0), main)
        case .moduleLoad:
            row.object = main
            if a(3) == 1 { (row.aux, row.aux3) = (a(0), a(2)) } else { row.aux2 = a(1) } // finit_module : init_module
        case .bpf:
            (row.aux, row.aux3) = (a(0), name)
            if a(0) == 0 || a(0) == 5 { row.aux2 = a(1) } // MAP_CREATE, PROG_LOAD: the map or program type
        case .unshare:
            row.aux = a(0)
        case .setns:
            (row.aux, row.aux2) = (a(0), a(1))
        case .memfdCreate:
            (row.aux, row.object) = (a(0), main)
        case .kill: // a(3): 0 kill, 1 tkill, 2 tgkill
            row.aux = a(3) == 1 ? nil : a(0)
            row.aux2 = a(1)
            row.aux3 = a(3) == 0 ? nil : a(2)
        case .execveat:
            row.aux = a(0)
            row.object = main
            let absolute = c.string?.bytes.first == UInt8(ascii: "/")
            row.aux3 = a(2) == Int64(FileOpen.atFDCWD) || absolute ? nil : a(2)
        case .chroot:
            row.object = main
        case .pivotRoot:
            (row.object, row.aux2) = (main, second)
        default:
            break
        }
    }

    /// The kind-specific columns of an `events` row (their meaning per kind is in `event_kinds`).
    private struct EventRow {
        var uid: Int64?
        var process: Int64?
        var ret: Int64?
        var aux: Int64?
        var object: Int64?
        var aux2: Int64?
        var aux3: Int64?
    }

    /// The process row an exec makes or updates.
    private func upsertExec(_ x: Exec, parent: Int64?, cgroup: Int64?, _ s: WriterStatements) throws -> Int64 {
        let u = s.execProcess
        u.bindText(.bootID, bootID)
        u.bind(.pid, Int64(x.process.pid))
        u.bind(.startBootNs, Int64(bitPattern: x.process.startBootNanoseconds))
        u.bind(.startedAt, clock.utc(x.process.startBootNanoseconds))
        u.bind(.ppid, Int64(x.ppid))
        u.bind(.parent, parent)
        u.bindText(.exe, x.filename.bytes)
        u.bindBlob(.argv, x.argv.bytes)
        u.bindText(.cmdline, Display.commandLine(argv: x.argv.bytes, truncated: x.argvTruncated))
        u.bindText(.comm, x.comm.bytes)
        u.bind(.uid, Int64(x.uid))
        u.bind(.gid, Int64(x.gid))
        u.bind(.nsPID, Int64(x.namespacePID))
        u.bind(.mntNS, Int64(x.mountNamespace))
        u.bind(.pidNS, Int64(x.pidNamespace))
        u.bind(.cgroup, cgroup)
        u.bind(.session, sessionID)
        u.bind(.startTicks, Int64(bitPattern: x.process.startTicks))
        let id = try u.runReturningID()
        processIDs[x.process] = id
        touch(.processes, id)
        return id
    }

    /// The process row a fork makes.
    private func insertChild(_ f: Fork, parent: Int64, cgroup: Int64?, _ s: WriterStatements) throws -> Int64 {
        let c = s.forkChild
        c.bindText(.bootID, bootID)
        c.bind(.pid, Int64(f.child.pid))
        c.bind(.startBootNs, Int64(bitPattern: f.child.startBootNanoseconds))
        c.bind(.startedAt, clock.utc(f.child.startBootNanoseconds))
        c.bind(.ppid, Int64(f.parent.pid))
        c.bind(.parent, parent)
        c.bindText(.comm, f.comm.bytes)
        c.bind(.uid, Int64(f.uid))
        c.bind(.gid, Int64(f.gid))
        c.bind(.cgroup, cgroup)
        c.bind(.session, sessionID)
        c.bind(.startTicks, Int64(bitPattern: f.child.startTicks))
        let id = try c.runReturningID()
        processIDs[f.child] = id
        touch(.processes, id)
        return id
    }

    /// Row id of a process instance, creating a minimal row when it was never seen.
    private func processRow(_ key: ProcessKey, _ s: WriterStatements, comm: ByteString? = nil, ppid: UInt32? = nil) throws -> Int64 {
        if let id = processIDs[key] { return id }
        let u = s.touchProcess
        u.bindText(.bootID, bootID)
        u.bind(.pid, Int64(key.pid))
        u.bind(.startBootNs, Int64(bitPattern: key.startBootNanoseconds))
        u.bind(.startedAt, key.startBootNanoseconds == 0 ? nil : clock.utc(key.startBootNanoseconds))
        u.bindText(.comm, comm?.bytes)
        u.bind(.ppid, ppid.map { Int64($0) })
        u.bind(.session, sessionID)
        u.bind(.startTicks, Int64(bitPattern: key.startTicks))
        let id = try u.runReturningID()
        processIDs[key] = id
        touch(.processes, id)
        return id
    }

    /// Row id of a socket address in `addresses`, interned once per session (while cached).
    private func addressRow(family: UInt16, _ address: ByteString, _ s: WriterStatements) throws -> Int64 {
        let key = AddressKey(family: family, address: address)
        if let id = addressIDs[key] { return id }
        if addressIDs.count >= Self.pathCacheLimit { addressIDs.removeAll(keepingCapacity: true) }
        s.internAddress.bind(.family, Int64(family))
        s.internAddress.bindText(.address, address.bytes)
        let id = try s.internAddress.runReturningID()
        addressIDs[key] = id
        touch(.addresses, id)
        return id
    }

    /// Row id of a path in `paths`, interned once per session (while cached).
    private func pathRow(_ path: ByteString, truncated: Bool, _ s: WriterStatements) throws -> Int64 {
        let key = PathKey(path: path, truncated: truncated)
        if let id = pathIDs[key] { return id }
        if pathIDs.count >= Self.pathCacheLimit { pathIDs.removeAll(keepingCapacity: true) }
        s.internPath.bindText(.path, path.bytes)
        s.internPath.bind(.truncated, truncated)
        let id = try s.internPath.runReturningID()
        pathIDs[key] = id
        touch(.paths, id)
        return id
    }

    /// Row id of a process name in `comms`, interned once per session (while cached).
    private func commRow(_ comm: ByteString, _ s: WriterStatements) throws -> Int64 {
        if let id = commIDs[comm] { return id }
        if commIDs.count >= Self.commCacheLimit { commIDs.removeAll(keepingCapacity: true) }
        s.internComm.bindText(.comm, comm.bytes)
        let id = try s.internComm.runReturningID()
        commIDs[comm] = id
        touch(.comms, id)
        return id
    }

    /// Row id of a cgroup, creating a row when it was never seen (`path` may be unknown yet).
    func cgroupRow(hierarchy: UInt32, id: UInt64, path: ByteString?, _ s: WriterStatements) throws -> Int64? {
        guard id != 0 else { return nil }
        let key = CgroupKey(hierarchy: hierarchy, id: id)
        if let row = cgroupRows[key], path == nil { return row }
        let u = s.touchCgroup
        u.bindText(.bootID, bootID)
        u.bind(.hierarchy, Int64(hierarchy))
        u.bind(.cgroupID, Int64(bitPattern: id))
        u.bindText(.path, path?.bytes)
        u.bind(.session, sessionID)
        let row = try u.runReturningID()
        cgroupRows[key] = row
        touch(.cgroups, row)
        return row
    }
}
