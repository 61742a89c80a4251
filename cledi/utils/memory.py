"""Keep freed memory in the process instead of returning it to the system after every tensor (glibc malloc)."""
import ctypes
import ctypes.util
import platform

# mallopt(3) parameters
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold: int = 32 << 20, top_pad: int = 512 << 20,
                      trim_threshold: int = (1 << 31) - 1) -> bool:
    """Tune glibc's allocator so that tensors of up to ``mmap_threshold`` bytes reuse heap memory.

    By default glibc serves a large block (a ViT-mini activation of 4-9 MiB) with a fresh ``mmap`` and returns it
    with ``munmap`` when freed, so every training step page-faults its activations in again: on the 2-core CPU a
    third of a ViT-mini step went to that (the system time of the process). Raising the mmap threshold to glibc's
    maximum (32 MiB), growing the heap in ``top_pad`` steps and never trimming it keeps freed blocks for the next
    step (the effect of ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` / ``MALLOC_TOP_PAD_``, or of
    jemalloc / tcmalloc via ``LD_PRELOAD``). The process keeps its peak heap; nothing else changes.

    Returns:
        True where it applied (Linux with glibc), False elsewhere (a no-op).
    """
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return False
    libc = ctypes.CDLL(ctypes.util.find_library('c'))
    return all(libc.mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, mmap_threshold), (M_TOP_PAD, top_pad), (M_TRIM_THRESHOLD, trim_threshold)))
