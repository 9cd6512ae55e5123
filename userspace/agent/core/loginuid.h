/* SPDX-License-Identifier: GPL-2.0-only */
/* Making audit loginuid immutable, so a root engineer cannot shed their identity. */
#ifndef LOGINUID_H
#define LOGINUID_H

/*
 * Turns on the kernel's AUDIT_FEATURE_LOGINUID_IMMUTABLE (what
 * `auditctl --loginuid-immutable` does): a loginuid, once set, can no longer
 * be changed, even by root. Logins still set it once. 0 or a negative errno.
 */
int loginuid_lock(void);

#endif /* LOGINUID_H */
