/* The C consumer of abi-bridge's generated stubs: calls write, getpid and a
 * failing close (and a little more) through the abi_* functions of the
 * emitted .S, and checks each against libc's view of the same thing. Returns
 * non-zero unless every check passed.
 *
 * The 64-bit offsets (ftruncate, pread64, pwrite64 beyond 4 GiB) take a
 * register pair or two stack words on 32-bit ports, and ftruncate is made
 * through ftruncate64 there ([via]); recvfrom's six arguments reach past the
 * C convention's argument registers on i386, armv7 and s390x, and into
 * registers it makes the callee preserve. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

	/* A sparse file of 5 GiB: the high word of every offset is 1. */
	const int64_t five_gib = (int64_t)5 << 30;
	char path[] = "/tmp/c-consumer-XXXXXX";
	int fd = mkstemp(path);
	check(fd >= 0, "mkstemp (libc) makes a scratch file");
	unlink(path);
	r = abi_ftruncate(fd, five_gib);
	struct stat st;
	check(r == 0 && fstat(fd, &st) == 0 && (int64_t)st.st_size == five_gib,
	      "ftruncate to 5 GiB: libc's fstat sees that size");
	check(pwrite(fd, "libc", 4, five_gib - 4096 + 3) == 4, "pwrite (libc) near the end");
	char got[4] = { 0 };
	r = abi_pread64(fd, got, 4, five_gib - 4096 + 3);
	check(r == 4 && memcmp(got, "libc", 4) == 0, "pread64 at 5 GiB - 4093 reads what libc wrote");
	r = abi_pwrite64(fd, "stub", 4, ((int64_t)4 << 30) + 1);
	check(r == 4 && pread(fd, got, 4, ((int64_t)4 << 30) + 1) == 4 && memcmp(got, "stub", 4) == 0,
	      "pwrite64 at 4 GiB + 1: libc's pread reads it back");
	r = abi_pread64(fd, got, 4, -1);
	check(abi_errno(r) == EINVAL, "pread64 at offset -1 fails with EINVAL");
	abi_close(fd);

	/* Six arguments: recvfrom fills the sender's address through the fifth and sixth. */
	int sv[2] = { -1, -1 };
	check(abi_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair of datagram sockets");
	r = abi_recvfrom(sv[1], buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
	check(abi_errno(r) == EAGAIN, "recvfrom(MSG_DONTWAIT) on an empty socket fails with EAGAIN");
	check(abi_sendto(sv[0], "dgram", 5, 0, NULL, 0) == 5, "sendto of five bytes");
	check(send(sv[0], "libc!", 5, 0) == 5, "send (libc) of five bytes");
	struct sockaddr_un from, from_libc;
	socklen_t len = sizeof from, len_libc = sizeof from_libc;
	memset(&from, 0x55, sizeof from);
	memset(&from_libc, 0x55, sizeof from_libc);
	r = abi_recvfrom(sv[1], buf, sizeof buf, 0, &from, &len);
	ssize_t n_libc = recvfrom(sv[1], buf, sizeof buf, 0,
				  (struct sockaddr *)&from_libc, &len_libc);
	check(r == 5 && n_libc == 5 && len == len_libc && len < sizeof from &&
		      memcmp(&from, &from_libc, sizeof from) == 0,
	      "recvfrom writes the same address and length as libc's recvfrom");
	abi_close(sv[0]);
	abi_close(sv[1]);

	/* A via call with constants on 32-bit ports (clock_nanosleep_time64). */
	struct {
		int64_t sec, nsec;
	} nap = { 0, 1000 };
	check(abi_nanosleep(&nap, NULL) == 0, "nanosleep of a microsecond");
	nap.nsec = 1000000000;
	check(abi_errno(abi_nanosleep(&nap, NULL)) == EINVAL, "nanosleep of 10^9 ns fails with EINVAL");

	check(argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two words") == 0,
	      "arguments arrive");

	printf("c-consumer: %d checks, %d failures\n", passed + failed, failed);
	return failed == 0 ? 0 : 1;
}
