/* The C consumer of abi-bridge's generated stubs: calls write, getpid and a
 * failing close (and a little more) through the abi_* functions of the
 * emitted .S, and checks each against libc's view of the same thing. Returns
 * non-zero unless every check passed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "abi_syscalls.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("c-consumer: %s: %s\n", ok ? "ok" : "FAILED", what);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

int c_consumer_main(int argc, char **argv)
{
	static const char msg[] = "c-consumer: hello through abi_write\n";
	intptr_t n = abi_write(1, msg, sizeof msg - 1);
	check(n == (intptr_t)(sizeof msg - 1), "write returns the number of bytes written");

	intptr_t pid = abi_getpid();
	check(!abi_is_error(pid) && pid == (intptr_t)getpid(), "getpid equals libc's getpid()");

	intptr_t r = abi_close(-1);
	check(abi_is_error(r) && abi_errno(r) == EBADF, "close(-1) fails with EBADF");

	/* A value written to a pipe comes back through read. */
	int fds[2] = { -1, -1 };
	r = abi_pipe2(fds, 0);
	check(r == 0 && fds[0] >= 0 && fds[1] >= 0, "pipe2 makes two descriptors");
	char buf[8] = { 0 };
	check(abi_write(fds[1], "ping", 4) == 4 && abi_read(fds[0], buf, sizeof buf) == 4 &&
		      memcmp(buf, "ping", 4) == 0,
	      "write to a pipe, read it back");
	check(abi_close(fds[0]) == 0 && abi_close(fds[1]) == 0, "close both ends");
	r = abi_close(fds[0]);
	check(abi_errno(r) == EBADF, "closing again fails with EBADF");

	/* The decoder's boundary: [-ABI_ERRNO_MAX, -1] are errors, nothing else. */
	check(abi_is_error(-1) && abi_is_error(-ABI_ERRNO_MAX) && !abi_is_error(-ABI_ERRNO_MAX - 1) &&
		      !abi_is_error(0) && abi_errno(42) == 0,
	      "errors are exactly the raw values in [-ABI_ERRNO_MAX, -1]");

	check(argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two words") == 0,
	      "arguments arrive");

	printf("c-consumer: %d checks, %d failures\n", passed + failed, failed);
	return failed == 0 ? 0 : 1;
}
