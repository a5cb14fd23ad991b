/* The native timed loop of the all-reduce suite (harness/allreduce/_native.py builds it).
 *
 * mpi4py adds about 0.35 us of Python to every call, more than a small all-reduce itself takes
 * (0.21 us at 8 B on two ranks here). This loop makes the same MPI_Allreduce calls with no
 * Python between them: `calls_per_sample` back-to-back calls between two reads of the monotonic
 * clock, `samples` times, on the communicator and datatype mpi4py hands over as Fortran handles
 * (the portable way to pass a handle between two bindings of one MPI library).
 */
#include <mpi.h>
#include <stddef.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sums `count` elements; `send` NULL means in place. Fills batch_ns[0..samples) with each
 * sample's total time on this rank. Returns an MPI error code (MPI_SUCCESS when all succeeded). */
int kp_allreduce_batches(MPI_Fint comm_handle, MPI_Fint datatype_handle, const void *send,
                         void *recv, int count, int calls_per_sample, int samples,
                         long long *batch_ns) {
    MPI_Comm comm = MPI_Comm_f2c(comm_handle);
    MPI_Datatype datatype = MPI_Type_f2c(datatype_handle);
    const void *source = send == NULL ? MPI_IN_PLACE : send;
    int status = MPI_SUCCESS;
    for (int s = 0; s < samples && status == MPI_SUCCESS; s++) {
        long long start = now_ns();
        for (int c = 0; c < calls_per_sample && status == MPI_SUCCESS; c++) {
            status = MPI_Allreduce(source, recv, count, datatype, MPI_SUM, comm);
        }
        batch_ns[s] = now_ns() - start;
    }
    return status;
}
