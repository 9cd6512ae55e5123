/* SPDX-License-Identifier: GPL-2.0-only */
/* Notification mails: complete RFC 5322 messages for `sendmail -t`, as malloc'd strings. */
#ifndef MAIL_H
#define MAIL_H

#include <stddef.h>
#include <stdint.h>
#include "model.h"

/* Longest address accepted in From/To (RFC 5321 caps a path at 256 octets). */
#define MAIL_ADDR_MAX 254

/*
 * Builds a message: Date, From, To, Subject, Message-ID, MIME-Version, Content-Type
 * (text/plain; charset=utf-8), Content-Transfer-Encoding: 8bit, Auto-Submitted:
 * auto-generated, X-Lockbox-Request (when request_id > 0), a blank line, then the body.
 * Lines end in LF (what `sendmail -t` reads). A subject with non-ASCII text is sent as
 * RFC 2047 encoded-words. Body lines over 998 octets are split, CRs dropped, and a line
 * that is a lone "." gets a trailing space so that sendmail without -i does not stop there.
 * Returns NULL with errno EINVAL when a header would be unsafe: CR, LF or another
 * control character in from, an address or the subject, a comma in an address, invalid
 * UTF-8, no recipients; ENOMEM when out of memory.
 */
char *mail_build(const char *from, const char *const *to, size_t n_to, const char *subject,
		 const char *body, int64_t request_id, int64_t now);

/*
 * To the zone's approvers: who asked, for what, why, and the exact commands to approve
 * or deny. host names the machine the request is for (the commands must be run there);
 * NULL means "this host". Untrusted text (reason, ticket, names) is flattened to one
 * line per field, so it cannot add headers or end the message early.
 * @statement (NULL for none) is the request's approval statement: the mail then
 * carries it base64-encoded in a command that writes statement.json byte for byte
 * (mail transports rewrap and trim lines), and the ssh-keygen command to sign it.
 */
char *mail_request_created(const char *from, const char *const *to, size_t n_to,
			   const struct request *r, const char *host, const char *statement,
			   int64_t now);

/*
 * To the requester: what is "approved", "denied", "revoked", "expired" or "cancelled";
 * by names who did it (NULL: the agent); comment is the approver's comment or the
 * reason given (NULL or "" for none). to NULL sends to mail_user_address(from,
 * r->requester). NULL with errno EINVAL for an unknown what or a bad address.
 */
char *mail_request_decided(const char *from, const char *to, const struct request *r,
			   const char *what, const char *by, const char *comment, int64_t now);

/*
 * "<user>@<domain of from>": where a requester's mail goes when no address is configured.
 * from may be "lockbox@host" or "Name <lockbox@host>". Returns 0, -EINVAL (from has no
 * domain, user unsafe in an address) or -ENOSPC (buf too small).
 */
int mail_user_address(const char *from, const char *user, char *buf, size_t len);

/*
 * The recipients joined as "a@x,b@y" (malloc'd, in *out): the outbox row's record and
 * LOCKBOX_NOTIFY_TO. Each is checked as mail_build() checks To. Returns 0, -EINVAL
 * (none, or one unsafe) or -ENOMEM.
 */
int mail_join_addresses(const char *const *to, size_t n_to, char **out);

#endif /* MAIL_H */
