"""Image loading that names the file it cannot read."""
from typing import Optional

from mmcv.transforms import LoadImageFromFile as MMCVLoadImageFromFile

from cledi.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageFromFile(MMCVLoadImageFromFile):
    """MMCV's ``LoadImageFromFile`` whose failures name the file and the fix.

    MMCV raises the decoder's bare exception, or ``AssertionError: failed to load image`` for a file that
    decodes to nothing (a truncated or non-image file). Here both become an ``OSError`` that names the path.
    ``ignore_empty=True`` still skips unreadable files instead (the dataset then fetches another sample).
    """

    def transform(self, results: dict) -> Optional[dict]:
        filename = results.get('img_path')
        try:
            return super().transform(results)
        except Exception as error:  # noqa: BLE001 - re-raised with the file name
            raise OSError(f"cannot read image file '{filename}': {type(error).__name__}: {error}. The file is "
                          'missing, truncated or not an image: replace or delete it (or remove it from the '
                          'annotation file), or set ignore_empty=True in LoadImageFromFile to skip such '
                          'files.') from error
