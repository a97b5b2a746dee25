build-clang/workers/exec.o: workers/exec.c include/chunkvisor.h

include/chunkvisor.h:
