/* The generated header compiled as C++ (build.rs runs the host's C++
 * compiler on this file with -fsyntax-only): its prototypes, the errno
 * helpers and the never-returning calls must be valid C++ too. */
#include "abi_syscalls.h"

static_assert(sizeof(intptr_t) >= sizeof(int), "intptr_t holds a C int");

extern "C" intptr_t header_check_uses(void)
{
	intptr_t r = abi_getpid();
	if (abi_is_error(r))
		return -abi_errno(r);
	return r;
}
