/* A plain C MPI_Allreduce loop: the baseline that `make bench` holds the harness against.
 *
 * Built at bench time with the venv's `mpicc` as a shared library and called through ctypes
 * from the same ranks that run the harness, on the same buffers, so both loops run in one
 * process with the same MPI library and communicator, interleaved. It is timed the way the
 * harness times: warm-up calls, an untimed barrier, the monotonic clock around every call,
 * and the slowest rank per call kept (MPI_MAX over the per-call times, after the loop).
 */
#include <mpi.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Float sum of `count` elements, in place when `send` is NULL; fills samples_ns[0..iterations).
 * Returns an MPI error code (MPI_SUCCESS when every call succeeded). */
int allreduce_loop(const float *send_buffer, float *recv, int count, int warmup, int iterations,
                   long long *samples_ns) {
    const void *send = send_buffer == NULL ? MPI_IN_PLACE : (const void *)send_buffer;
    int status = MPI_SUCCESS;
    for (int i = 0; i < warmup && status == MPI_SUCCESS; i++) {
        status = MPI_Allreduce(send, recv, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    if (status == MPI_SUCCESS) {
        status = MPI_Barrier(MPI_COMM_WORLD);
    }
    for (int i = 0; i < iterations && status == MPI_SUCCESS; i++) {
        long long start = now_ns();
        status = MPI_Allreduce(send, recv, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        samples_ns[i] = now_ns() - start;
    }
    if (status == MPI_SUCCESS) {
        status = MPI_Allreduce(MPI_IN_PLACE, samples_ns, iterations, MPI_LONG_LONG, MPI_MAX,
                               MPI_COMM_WORLD);
    }
    return status;
}
