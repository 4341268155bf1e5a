"""The evidence store: Django's file system storage, leaving nothing half written when a write fails."""

import contextlib
import errno
import os

from django.core.files.storage import FileSystemStorage


class EvidenceStorage(FileSystemStorage):
    """
    Django's FileSystemStorage, with two changes:

    - a write that fails part way (the disk full, the folder gone) removes the part it wrote, so the store never
      holds a file no note points to because its note was refused;
    - a name already taken is refused, never replaced by another: evidence names are 128 random bits, so this never
      happens by chance, and it means a failed write can only ever remove the file it created itself.
    """

    def get_available_name(self, name, max_length=None):
        if self.exists(name):
            raise FileExistsError(errno.EEXIST, "An evidence file of this name exists already", name)
        return super().get_available_name(name, max_length=max_length)

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise  # not this write's file
        except OSError:
            with contextlib.suppress(OSError):  # nothing was created, or it is gone already
                os.remove(self.path(name))
            raise
