/*
 * blockstream.h - a GMime stream over a file descriptor that reads in
 * large blocks.
 *
 * GMime's parser reads 4 KiB at a time, and its file-descriptor stream
 * (GMimeStreamFs) turns each read into an lseek(2) and a read(2): a
 * 30 MB mail cost some 15,000 system calls.  GMimeStreamFile (stdio)
 * lseeks before every read as well, and GMimeStreamMmap makes every page
 * read count in the process's memory.  This stream answers reads from
 * one cache of BLOCKSTREAM_BLOCK bytes, filled with pread(2), shared
 * with every substream made of it (the parser makes one per MIME part);
 * a read of a block or more goes straight to the caller's buffer.
 *
 * It behaves as GMimeStreamFs for reading (bounds, end of stream, seek,
 * length, substreams); it cannot write (-1, EBADF).  The file must not
 * change while the stream lives: the spool's file does not.
 *
 * Owns: the file descriptor given to blockstream_new(), closed when the
 * stream and all its substreams are gone.
 */
#ifndef GW_BLOCKSTREAM_H
#define GW_BLOCKSTREAM_H

#include <gmime/gmime.h>

#define BLOCKSTREAM_BLOCK	(128 * 1024)	/* bytes read at once */

/*
 * blockstream_new - a read-only stream over fd from offset start to end
 * (-1: to the end of the file); it owns fd.  Release with
 * g_object_unref().
 */
GMimeStream *blockstream_new(int fd, gint64 start, gint64 end);

#endif /* GW_BLOCKSTREAM_H */
