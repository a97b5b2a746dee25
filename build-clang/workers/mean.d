build-clang/workers/mean.o: workers/mean.c include/chunkvisor.h

include/chunkvisor.h:
