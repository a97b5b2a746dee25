build-clang/workers/wc.o: workers/wc.c include/chunkvisor.h

include/chunkvisor.h:
