#ifndef FEDSIM_CSUPPORT_H
#define FEDSIM_CSUPPORT_H

/// Asks the kernel to send `signal` to this process when its parent dies (Linux prctl
/// PR_SET_PDEATHSIG). Returns 0 on success, -1 with errno set, or 0 where unsupported.
int fedsim_set_parent_death_signal(int signal);

/// Makes this process keep blocks up to `bytes` in its heap when they are freed (glibc
/// mallopt: mmap and trim thresholds), instead of unmapping them and mapping fresh,
/// kernel-zeroed pages for the next one. Returns 1 when applied, 0 elsewhere.
int fedsim_keep_large_blocks_in_heap(int bytes);

#endif
