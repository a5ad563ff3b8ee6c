/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small IGT-style harness for the msm-vm guest suites: each subtest is a
 * function named after the behaviour it checks, run in a child process of
 * its own (a crash or a leaked fd fails only that subtest), and reports one
 * line, "msm-vm-guest: ok|FAIL|skip: <name>[: why]".  Checks fail the
 * subtest at the first wrong result and say what was expected.
 */
#ifndef MSM_VM_GUEST_IGT_H
#define MSM_VM_GUEST_IGT_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/compiler.h>	/* tools/include: __printf, __noreturn */

#define IGT_EXIT_SKIP 77

struct igt_subtest {
	const char *name;
	void (*fn)(void);
};

__noreturn __printf(3, 4)
static inline void igt_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "msm-vm-guest: why: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

__noreturn __printf(1, 2)
static inline void igt_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "msm-vm-guest: why: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(IGT_EXIT_SKIP);
}

#define igt_fail(...) igt_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define igt_assert(c) do {						\
	if (!(c))							\
		igt_fail("%s", #c);					\
} while (0)

#define igt_assert_eq_u64(a, b) do {					\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b)							\
		igt_fail("%s == 0x%llx, expected %s == 0x%llx", #a, _a, #b, _b); \
} while (0)

/* An ioctl that must succeed. */
#define do_ioctl(fd, req, arg) do {					\
	if (ioctl((fd), (req), (arg)))					\
		igt_fail("%s: %s, expected success", #req, strerror(errno)); \
} while (0)

/* An ioctl that must fail with errno e. */
#define do_ioctl_err(fd, req, arg, e) do {				\
	int _e = (e), _r = ioctl((fd), (req), (arg));			\
	if (_r != -1 || errno != _e)					\
		igt_fail("%s: %s, expected %s", #req,			\
			 _r == -1 ? strerror(errno) : "success", strerror(_e)); \
} while (0)

#endif /* MSM_VM_GUEST_IGT_H */
