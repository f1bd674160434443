//! Ctrl-C and SIGTERM: the first asks the run to stop (no new page is read,
//! what is finished is kept, [`crate::pipeline::INTERRUPTED`]); a second
//! Ctrl-C ends the process at once. (A supervising parent passes a Ctrl-C
//! on to its worker as SIGTERM, which never ends it at once: the worker
//! may have had the Ctrl-C from the terminal already.)

use crate::pipeline::INTERRUPTED;
use std::sync::atomic::Ordering;

extern "C" fn on_signal(sig: libc::c_int) {
    if INTERRUPTED.swap(true, Ordering::SeqCst) && sig == libc::SIGINT {
        // Only async-signal-safe calls here.
        unsafe { libc::_exit(crate::EXIT_INTERRUPTED) };
    }
}

/// Installs the handlers (once per process).
pub fn catch_interrupts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| unsafe {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    });
}
