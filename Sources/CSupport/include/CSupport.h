#ifndef FEDSIM_CSUPPORT_H
#define FEDSIM_CSUPPORT_H

/// Asks the kernel to send `signal` to this process when its parent dies (Linux prctl
/// PR_SET_PDEATHSIG). Returns 0 on success, -1 with errno set, or 0 where unsupported.
int fedsim_set_parent_death_signal(int signal);

#endif
