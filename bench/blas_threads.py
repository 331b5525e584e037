# What the peer scripts report next to torch.set_num_threads: Debian's torch calls a pthread OpenBLAS, whose own
# thread count torch.set_num_threads does not change (it starts one thread per core unless OPENBLAS_NUM_THREADS says
# otherwise). threadpoolctl (python3-threadpoolctl, which python3-sklearn brings) reads it; None when unavailable.
def blas_threads():
    try:
        import threadpoolctl
    except ImportError:
        return None
    counts = [info["num_threads"] for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else None
