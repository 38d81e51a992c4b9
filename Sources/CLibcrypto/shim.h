// OpenSSL's direct digest functions (SHA256_Init/Update/Final, MD5_*). OpenSSL 3 marks them
// deprecated in favour of EVP, but they remain in every 3.x release and are what this package
// wants: the EVP interface fetches algorithms through OpenSSL's provider machinery, and a static
// link of it pulls in nearly all of libcrypto (2.8 MB of a Lambda bootstrap); the direct
// functions are a few kilobytes each.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/md5.h>
#include <openssl/sha.h>
