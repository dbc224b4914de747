#ifndef FEDSIM_CTESTSUPPORT_H
#define FEDSIM_CTESTSUPPORT_H

#include <sys/types.h>

/// A file descriptor that refers to process `pid` (Linux pidfd_open, kernel 5.3+): poll() reports
/// it readable once the process has ended, whether or not it is a child of the caller. The
/// caller closes it. Returns -1 with errno set (ESRCH: no such process; ENOSYS elsewhere).
int fedtest_pidfd_open(pid_t pid);

#endif
