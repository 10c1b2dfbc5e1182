"""Static files' addresses, each worked out once per process.

`{% static %}` asks the storage for every use: with hashed file names that is a manifest
lookup, name cleaning and URL quoting, a dozen times per page. The manifest is read once
when the process starts, so the address of a name cannot change while it runs: the
storage remembers each one (settings.STORAGES["staticfiles"] outside DEBUG).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberedManifestStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        address = self._addresses.get(name)
        if address is None:
            address = self._addresses[name] = super().url(name)
        return address
