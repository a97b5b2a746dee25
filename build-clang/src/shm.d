build-clang/src/shm.o: src/shm.c src/shm.h

src/shm.h:
