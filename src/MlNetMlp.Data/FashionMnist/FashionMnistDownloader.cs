using System.Net;

namespace MlNetMlp.Data;

/// <summary>
/// Downloads a split's .gz files into the cache. Each file goes to a uniquely named temporary file in the
/// cache directory, is checked against its expected SHA-256, and only then is renamed into place, so an
/// interrupted or corrupt download never leaves a file that a later search would pick up.
/// </summary>
internal static class FashionMnistDownloader
{
    private const long ProgressStep = 1 << 20;

    // One client for the process: HttpClient is meant to be reused, and timeouts are applied per file.
    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static FashionMnistFiles Download(FashionMnistSplit split, string cacheDirectory, FashionMnistOptions options)
    {
        Directory.CreateDirectory(cacheDirectory);
        var (imagesName, labelsName) = FashionMnist.FileBaseNames(split);
        string images = DownloadFile(imagesName, cacheDirectory, options);
        string labels = DownloadFile(labelsName, cacheDirectory, options);
        return new FashionMnistFiles(split, images, labels, FashionMnistSource.Download);
    }

    private static string DownloadFile(string baseName, string cacheDirectory, FashionMnistOptions options)
    {
        string fileName = baseName + ".gz";
        string destination = Path.Combine(cacheDirectory, fileName);
        // The other file of the split may already be cached, checked when it was downloaded.
        if (File.Exists(destination) || File.Exists(Path.Combine(cacheDirectory, baseName)))
            return File.Exists(destination) ? destination : Path.Combine(cacheDirectory, baseName);

        var url = new Uri(WithTrailingSlash(options.DownloadBaseUri), fileName);
        string expected = FashionMnist.ExpectedSha256(baseName, options);
        string temporary = Path.Combine(cacheDirectory, $".{fileName}.{Guid.NewGuid():N}.partial");
        try
        {
            Fetch(url, fileName, temporary, options);
            string actual;
            try
            {
                actual = IdxReader.ComputeContentSha256(temporary);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{url}: the download is not valid gzip data ({e.Message}); it was discarded.", e);
            }
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"{url}: SHA-256 of the decompressed download is {actual}, expected {expected} (corrupt or altered download); it was discarded.");
            File.Move(temporary, destination, overwrite: true);
            return destination;
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private static void Fetch(Uri url, string fileName, string destination, FashionMnistOptions options)
    {
        using var timeout = new CancellationTokenSource(options.DownloadTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = SharedClient.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            long? total = response.Content.Headers.ContentLength;
            // Stream reads ignore the token, so a stalled body is cut by disposing the response.
            using var cancelBody = timeout.Token.Register(response.Dispose);
            using var body = response.Content.ReadAsStream(timeout.Token);
            using var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            var buffer = new byte[1 << 16];
            long received = 0, reported = 0;
            options.DownloadProgress?.Report(new FashionMnistDownloadProgress(fileName, url, 0, total));
            int read;
            while ((read = body.Read(buffer, 0, buffer.Length)) > 0)
            {
                file.Write(buffer, 0, read);
                received += read;
                if (received - reported >= ProgressStep)
                {
                    reported = received;
                    options.DownloadProgress?.Report(new FashionMnistDownloadProgress(fileName, url, received, total));
                }
            }
            if (total is long announced && received != announced)
                throw new IOException($"{url}: connection closed after {received} of {announced} bytes.");
            options.DownloadProgress?.Report(new FashionMnistDownloadProgress(fileName, url, received, total));
        }
        catch (Exception e) when (timeout.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            throw new IOException($"{url}: download timed out after {options.DownloadTimeout}.", e);
        }
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .partial file is never mistaken for data (wrong name).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
