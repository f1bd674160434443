//! Child processes that do not outlive their parent.

/// For `CommandExt::pre_exec` (between fork and exec in the child): the
/// kernel kills the child with SIGKILL when the thread that started it
/// ends, however the parent ends (a SIGKILL included), so no scan is left
/// writing behind a parent that is gone. Async-signal-safe: one syscall.
pub fn die_with_parent() -> std::io::Result<()> {
    // SAFETY: prctl with these arguments only sets a flag on this process.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
