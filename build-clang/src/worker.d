build-clang/src/worker.o: src/worker.c include/chunkvisor.h src/proto.h

include/chunkvisor.h:

src/proto.h:
