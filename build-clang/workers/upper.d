build-clang/workers/upper.o: workers/upper.c include/chunkvisor.h

include/chunkvisor.h:
